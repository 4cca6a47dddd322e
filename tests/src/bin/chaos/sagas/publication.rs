//! Publication: an event whose agenda is drafted is published (events → `EventPublished` →
//! notifications mails the newsletter to every confirmed subscriber). The instance's
//! readers subscribe beforehand and follow the confirmation link of their mail (attendees →
//! `NewsletterSubscriptionChanged` → notifications' subscribers); they set no preferences,
//! so neither quiet hours nor a digest hold the newsletter back. Effects: one publication
//! mail of the event per reader from the SES endpoint.

use std::time::Duration;

use async_trait::async_trait;
use fleet_tests::api::Api;
use fleet_tests::mail::{wait_for_mails, SentMail};
use fleet_tests::planning::drafted_evening;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{event_number, mails, organizer, until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

const READERS: usize = 5;

pub struct Publication;

struct Started {
    event_id: String,
    event_number: i32,
    /// The event's `ETag` with its agenda drafted.
    etag: String,
    emails: Vec<String>,
    readers: Vec<String>,
}

#[async_trait]
impl Saga for Publication {
    fn name(&self) -> &'static str {
        "publication"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(150)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["events", "notifications"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let events = organizer(fleet, "events");
        let number = event_number();
        let (event_id, _, _) = drafted_evening(&events, number, 100).await;
        let etag = events
            .get(&format!("/api/v1/events/{event_id}"))
            .await
            .etag();
        let label = fleet_tests::unique("p");
        let emails: Vec<String> = (0..READERS)
            .map(|n| format!("{label}-{n}@example.ch"))
            .collect();
        let mut readers = Vec::new();
        for (n, email) in emails.iter().enumerate() {
            readers.push(subscribe(fleet, email, n).await);
        }
        for email in &emails {
            confirm(fleet, email).await;
        }
        fleet
            .until("notifications knows the readers as confirmed subscribers", &format!(
                "select (select count(*) from notifications.recipients where id::text = any(array['{readers}'])) = {READERS}
                    and (select count(*) from notifications.newsletter_subscribers
                          where status = 'confirmed' and attendee_id::text = any(array['{readers}'])) = {READERS}",
                readers = readers.join("','"),
            ))
            .await;
        Box::new(Started {
            event_id,
            event_number: number,
            etag,
            emails,
            readers,
        })
    }
}

/// A new attendee with `email` who asks for the newsletter; returns their id.
async fn subscribe(fleet: &ProcessFleet, email: &str, n: usize) -> String {
    let people = organizer(fleet, "attendees");
    let body = json!({"email": email, "firstName": "Reader", "lastName": format!("No {n}"), "language": "en", "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
    let attendee = people
        .post("/api/v1/attendees", &body)
        .await
        .expect(StatusCode::CREATED);
    let id = attendee["id"].as_str().expect("an id").to_owned();
    people
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"attendeeId": id, "source": "chaos"}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    id
}

/// Follows the confirmation link of the mail to `email` (double opt-in).
async fn confirm(fleet: &ProcessFleet, email: &str) {
    let mail = wait_for_mails(email, 1).await.remove(0);
    let token = mail
        .text()
        .split("/newsletter/confirm?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the confirmation link")
        .to_owned();
    Api::at(&fleet.base_url("attendees"), None)
        .post("/api/v1/newsletter/confirm", &json!({"token": token}))
        .await
        .expect(StatusCode::OK);
}

#[async_trait]
impl Run for Started {
    /// Publishes with the drafted agenda's `ETag`; a repeat after a lost answer finds the
    /// event moved on and is answered 412 (it is published).
    async fn trigger(&self, fleet: &ProcessFleet) {
        let path = format!("/api/v1/events/{}/status", self.event_id);
        let body = json!({"status": "published", "overrideContentReview": "speakers recorded by the organizer"});
        let (status, answer) = until_answered(
            &organizer(fleet, "events"),
            Method::POST,
            &path,
            &body,
            &[("If-Match", &self.etag)],
        )
        .await;
        assert!(
            status.is_success() || status == StatusCode::PRECONDITION_FAILED,
            "{path} answered {status}: {answer}"
        );
    }

    async fn tally(&self, _fleet: &ProcessFleet) -> Tally {
        let subject = format!("BATbern {}:", self.event_number);
        let mut found = Vec::new();
        for email in &self.emails {
            let newsletter =
                |m: &SentMail| m.subject.starts_with(&subject) && m.text().contains(&self.event_id);
            found.extend(mails(email, newsletter).await);
        }
        Tally::of_mails(&self.emails, &found)
    }

    /// Erases the readers: the newsletters of later cells' events are not theirs to count.
    async fn finish(&self, fleet: &ProcessFleet) {
        let people = organizer(fleet, "attendees");
        for reader in &self.readers {
            let path = format!("/api/v1/attendees/{reader}");
            let (status, answer) =
                until_answered(&people, Method::DELETE, &path, &json!({}), &[]).await;
            assert_eq!(
                status,
                StatusCode::NO_CONTENT,
                "DELETE {path} answered {status}: {answer}"
            );
        }
    }
}
