//! Registration: attendees register for an event with fewer seats than registrations
//! (attendees → events reserves or refuses a seat → attendees confirms or waitlists →
//! notifications mails the outcome). Effects: each registration settled in attendees, the
//! event's seat count in events, one outcome mail per attendee from the SES endpoint.

use std::time::Duration;

use async_trait::async_trait;
use fleet_tests::planning::{published_evening, walk_status};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use super::{event_number, mails, organizer, post_until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

const SEATS: i64 = 4;
const PEOPLE: usize = 10;

pub struct Registration;

struct Started {
    event_id: String,
    emails: Vec<String>,
    attendees: Vec<String>,
}

#[async_trait]
impl Saga for Registration {
    fn name(&self) -> &'static str {
        "registration"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(200)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["attendees", "events", "notifications"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let events = organizer(fleet, "events");
        let people = organizer(fleet, "attendees");
        let (event_id, _, _) = published_evening(&events, event_number(), SEATS as i32).await;
        walk_status(&events, &event_id, &["registration_open"]).await;
        let label = fleet_tests::unique("r");
        let emails: Vec<String> = (0..PEOPLE)
            .map(|n| format!("{label}-{n}@example.ch"))
            .collect();
        let mut attendees = Vec::new();
        for (n, email) in emails.iter().enumerate() {
            let body = json!({"email": email, "firstName": "Guest", "lastName": format!("No {n}"), "language": "en", "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
            attendees.push(
                people
                    .post("/api/v1/attendees", &body)
                    .await
                    .expect(StatusCode::CREATED)["id"]
                    .as_str()
                    .expect("an id")
                    .to_owned(),
            );
        }
        fleet
            .until("attendees and notifications know the event and the people", &format!(
                "select (select count(*) from attendees.event_calendar where event_id = '{event_id}' and status = 'registration_open') = 1
                    and (select count(*) from notifications.event_directory where event_id = '{event_id}') = 1
                    and (select count(*) from notifications.recipients where id::text = any(array['{}'])) = {PEOPLE}",
                attendees.join("','")
            ))
            .await;
        Box::new(Started {
            event_id,
            emails,
            attendees,
        })
    }
}

#[async_trait]
impl Run for Started {
    async fn trigger(&self, fleet: &ProcessFleet) {
        let people = organizer(fleet, "attendees");
        join_all(
            self.attendees.iter().map(|attendee| {
                let body = json!({"eventId": self.event_id, "attendeeId": attendee});
                let people = &people;
                async move {
                    post_until_answered(people, "/api/v1/registrations", &body, attendee).await
                }
            }),
        )
        .await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let settled: (i64, i64) = sqlx::query_as(
            "select count(*) filter (where status = 'confirmed'), count(*) filter (where status = 'waitlisted')
               from attendees.event_registrations where event_id::text = $1",
        )
        .bind(&self.event_id)
        .fetch_one(&fleet.admin)
        .await
        .expect("registrations can be counted");
        let (seats,): (i32,) =
            sqlx::query_as("select current_attendee_count from events.events where id::text = $1")
                .bind(&self.event_id)
                .fetch_one(&fleet.admin)
                .await
                .expect("the event's seats can be read");
        let mut found = Vec::new();
        for email in &self.emails {
            found.extend(mails(email, |_| true).await);
        }
        Tally::number(SEATS as usize, settled.0 as usize)
            .and(Tally::number(PEOPLE - SEATS as usize, settled.1 as usize))
            .and(Tally::number(SEATS as usize, seats as usize))
            .and(Tally::of_mails(&self.emails, &found))
    }
}
