//! Speaker invitation: an organizer invites speakers, one to each session of an event
//! (speakers → `SpeakerInvited` → notifications mails the signed self-service link, events
//! lists the speaker unconfirmed), and each speaker accepts with the token of that link
//! (speakers → `SpeakerAccepted` → events confirms the speaker in the session's summary).
//! Effects: one invitation mail per speaker from the SES endpoint, each acceptance once in
//! speakers (the assignment `accepted`, one `SpeakerAccepted` in its outbox), each speaker
//! confirmed once in events' summary of their session.

use std::time::Duration;

use async_trait::async_trait;
use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared_domain::contracts::speakers::SpeakerAccepted;
use shared_domain::IntegrationEvent;

use super::{
    event_number, mails, organizer, post_until_answered, until_answered, Run, Saga, Tally,
};
use crate::fleet::ProcessFleet;

const SPEAKERS: usize = 3;

pub struct Invitation;

struct Started {
    /// The sessions, the `n`th for the `n`th speaker.
    sessions: Vec<String>,
    speakers: Vec<String>,
    emails: Vec<String>,
}

#[async_trait]
impl Saga for Invitation {
    fn name(&self) -> &'static str {
        "speaker invitation"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(180)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["speakers", "notifications", "events"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let events = organizer(fleet, "events");
        let event = events
            .post("/api/v1/events", &evening_event(event_number(), 100))
            .await
            .expect(StatusCode::CREATED);
        let event_id = id_of(&event);
        let mut sessions = Vec::new();
        for n in 0..SPEAKERS {
            sessions.push(session(&events, &event_id, n).await);
        }
        let company_id = company(fleet).await;
        let label = fleet_tests::unique("i");
        let emails: Vec<String> = (0..SPEAKERS)
            .map(|n| format!("{label}-{n}@example.ch"))
            .collect();
        let people = organizer(fleet, "speakers");
        let mut speakers = Vec::new();
        for (n, email) in emails.iter().enumerate() {
            speakers.push(speaker(&people, &company_id, email, n).await);
        }
        directories_know(fleet, &sessions, &speakers).await;
        Box::new(Started {
            sessions,
            speakers,
            emails,
        })
    }
}

pub(super) fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

/// A new session of `event_id` in the `n`th hour of the evening; returns its id.
pub(super) async fn session(events: &Api, event_id: &str, n: usize) -> String {
    let body = json!({"title": format!("Talk {n}"), "sessionType": "presentation", "startTime": format!("2027-03-12T{}:00:00Z", 16 + n), "endTime": format!("2027-03-12T{}:40:00Z", 16 + n), "room": "Arena"});
    let created = events
        .post(&format!("/api/v1/events/{event_id}/sessions"), &body)
        .await
        .expect(StatusCode::CREATED);
    id_of(&created)
}

/// A new company for the speakers; returns its id.
pub(super) async fn company(fleet: &ProcessFleet) -> String {
    let body = json!({"name": fleet_tests::unique("Chaos Speakers AG "), "industry": "Software"});
    let created = organizer(fleet, "companies")
        .post("/api/v1/companies", &body)
        .await
        .expect(StatusCode::CREATED);
    id_of(&created)
}

/// A new speaker of `company_id` with `email`, mailed in English; returns their id (the
/// speakers service may wait for the company, which `post` repeats through).
pub(super) async fn speaker(people: &Api, company_id: &str, email: &str, n: usize) -> String {
    let body = json!({"email": email, "firstName": "Speaker", "lastName": format!("No {n}"), "companyId": company_id,
        "communicationPreferences": {"language": "en", "emailNotifications": true}});
    let created = people
        .post("/api/v1/speakers", &body)
        .await
        .expect(StatusCode::CREATED);
    id_of(&created)
}

/// Invites `speaker` to `session` (a replay answers the first answer); returns the
/// invitation with its id (`assignment.id`) and the token of its link.
pub(super) async fn invite(people: &Api, speaker: &str, session: &str) -> Value {
    let body = json!({"speakerId": speaker, "sessionId": session, "role": "primary_speaker", "presentationTitle": "Surviving a crash"});
    post_until_answered(
        people,
        "/api/v1/invitations",
        &body,
        &format!("invite-{speaker}"),
    )
    .await
}

/// Accepts `invitation` with its link's token, as the speaker does on the page the mail
/// links to, without an account (accepting again changes nothing).
pub(super) async fn accept(public: &Api, invitation: &Value) {
    let id = invitation["assignment"]["id"]
        .as_str()
        .expect("an invitation id");
    let path = format!("/api/v1/invitations/{id}/accept");
    let body = json!({"token": invitation["token"]});
    let (status, answer) = until_answered(public, Method::POST, &path, &body, &[]).await;
    assert_eq!(status, StatusCode::OK, "{path} answered {status}: {answer}");
}

#[async_trait]
impl Run for Started {
    async fn trigger(&self, fleet: &ProcessFleet) {
        let people = organizer(fleet, "speakers");
        let invitations = join_all(
            self.speakers
                .iter()
                .zip(&self.sessions)
                .map(|(speaker, session)| invite(&people, speaker, session)),
        )
        .await;
        let public = Api::at(&fleet.base_url("speakers"), None);
        join_all(invitations.iter().map(|i| accept(&public, i))).await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let mut found = Vec::new();
        for email in &self.emails {
            found.extend(mails(email, |m| m.text().contains("/speaker/invitations/")).await);
        }
        let accepted: Vec<String> = sqlx::query_scalar(
            "select s.speaker_id::text from speakers.session_speakers s
               join speakers.outbox o on o.aggregate_id = s.id::text and o.event_type = $2
              where s.speaker_id::text = any($1) and s.workflow_state = 'accepted'",
        )
        .bind(self.speakers.as_slice())
        .bind(SpeakerAccepted::EVENT_TYPE)
        .fetch_all(&fleet.admin)
        .await
        .expect("speakers' acceptances can be read");
        let confirmed: Vec<String> = sqlx::query_scalar(
            "select speaker_id::text from events.session_speakers
              where session_id::text = any($1) and is_confirmed",
        )
        .bind(self.sessions.as_slice())
        .fetch_all(&fleet.admin)
        .await
        .expect("events' session speakers can be read");
        Tally::of_mails(&self.emails, &found)
            .and(Tally::of(&self.speakers, &accepted))
            .and(Tally::of(&self.speakers, &confirmed))
    }
}

/// Waits until speakers and notifications know `sessions` and notifications `speakers`.
pub(super) async fn directories_know(
    fleet: &ProcessFleet,
    sessions: &[String],
    speakers: &[String],
) {
    fleet
        .until("speakers and notifications know the sessions, notifications the speakers", &format!(
            "select (select count(*) from speakers.session_directory where session_id::text = any(array['{listed}'])) = {count}
                and (select count(*) from notifications.session_directory where session_id::text = any(array['{listed}'])) = {count}
                and (select count(*) from notifications.recipients where id::text = any(array['{people}'])) = {known}",
            listed = sessions.join("','"),
            count = sessions.len(),
            people = speakers.join("','"),
            known = speakers.len(),
        ))
        .await;
}
