//! Deadlines: speakers accepted sessions of an event (notifications opened their material
//! obligations) and one of them has already submitted; an organizer then sets the event's
//! material deadline 36 hours ahead with tiers 48/24/2 hours before it and no escalation
//! (notifications stores the rule → its scheduler finds tier 1 due at once, logs one
//! `deadline_reminder_48h` per open obligation with the tier recorded in the same
//! transaction, and sends it through SES). Effects: one reminder mail per speaker who has
//! not submitted from the SES endpoint and one `notification_log` row each; the speaker
//! who submitted gets none (a reminder to them counts as doubled: submission stops the
//! chain).

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use reqwest::StatusCode;
use serde_json::json;

use super::invitation::{accept, company, directories_know, id_of, invite, session, speaker};
use super::{event_number, mails, organizer, post_until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

/// Speakers who have not submitted (a last one submits before the deadline is set).
const LATE: usize = 2;
/// The subject of a tier 1 reminder in English.
const REMINDER: &str = "Reminder: material for";

pub struct Deadlines;

struct Started {
    event_id: String,
    /// The speakers who have not submitted, and their addresses.
    late: Vec<String>,
    emails: Vec<String>,
    /// The speaker who submitted, and their address.
    punctual: String,
    punctual_email: String,
}

#[async_trait]
impl Saga for Deadlines {
    fn name(&self) -> &'static str {
        "deadlines"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(100)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["notifications"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let events = organizer(fleet, "events");
        let event = events
            .post("/api/v1/events", &evening_event(event_number(), 100))
            .await
            .expect(StatusCode::CREATED);
        let event_id = id_of(&event);
        let mut sessions = Vec::new();
        for n in 0..=LATE {
            sessions.push(session(&events, &event_id, n).await);
        }
        let company_id = company(fleet).await;
        let label = fleet_tests::unique("d");
        let mut emails: Vec<String> = (0..=LATE)
            .map(|n| format!("{label}-{n}@example.ch"))
            .collect();
        let people = organizer(fleet, "speakers");
        let mut speakers = Vec::new();
        for (n, email) in emails.iter().enumerate() {
            speakers.push(speaker(&people, &company_id, email, n).await);
        }
        directories_know(fleet, &sessions, &speakers).await;
        let mut assignments = assign(fleet, &speakers, &sessions).await;
        let submitted = assignments
            .pop()
            .expect("the punctual speaker's assignment");
        submit(&people, &submitted).await;
        fleet
            .until("notifications watches the late speakers' obligations, not the punctual one's", &format!(
                "select (select count(*) from notifications.material_obligations
                          where assignment_id::text = any(array['{late}']) and submitted_at is null) = {LATE}
                    and (select count(*) from notifications.material_obligations
                          where assignment_id = '{submitted}' and submitted_at is not null) = 1",
                late = assignments.join("','"),
            ))
            .await;
        let punctual = speakers.pop().expect("the punctual speaker");
        let punctual_email = emails.pop().expect("the punctual speaker's address");
        Box::new(Started {
            event_id,
            late: speakers,
            emails,
            punctual,
            punctual_email,
        })
    }
}

/// Invites each of `speakers` to its session of `sessions` and accepts with the link's
/// token; answers the assignments' ids.
async fn assign(fleet: &ProcessFleet, speakers: &[String], sessions: &[String]) -> Vec<String> {
    let people = organizer(fleet, "speakers");
    let public = Api::at(&fleet.base_url("speakers"), None);
    let mut assignments = Vec::new();
    for (speaker, session) in speakers.iter().zip(sessions) {
        let invitation = invite(&people, speaker, session).await;
        accept(&public, &invitation).await;
        let id = invitation["assignment"]["id"]
            .as_str()
            .expect("an assignment id");
        assignments.push(id.to_owned());
    }
    assignments
}

/// Submits an abstract for `assignment` (organizers may, for the speaker).
async fn submit(people: &Api, assignment: &str) {
    people
        .put(
            &format!("/api/v1/session-speakers/{assignment}/submission"),
            &json!({"abstract": "How we keep messages flowing when brokers fail."}),
        )
        .await
        .expect(StatusCode::OK);
}

impl Started {
    /// The reminders logged for `speakers`, one id per row.
    async fn logged(&self, fleet: &ProcessFleet, speakers: &[String]) -> Vec<String> {
        sqlx::query_scalar(
            "select user_id::text from notifications.notification_log
              where notification_type = 'deadline_reminder_48h' and user_id::text = any($1)",
        )
        .bind(speakers)
        .fetch_all(&fleet.admin)
        .await
        .expect("notifications' log can be read")
    }
}

/// The reminder mails `email` received.
async fn reminded(email: &str) -> Vec<(String, String)> {
    mails(email, |m| m.subject.starts_with(REMINDER)).await
}

#[async_trait]
impl Run for Started {
    /// Sets the material deadline 36 hours ahead (tier 1 is due from 48 hours before it,
    /// tier 2 only from 24): a repeat with the key is answered the rule first created.
    async fn trigger(&self, fleet: &ProcessFleet) {
        let deadline = Utc::now() + chrono::Duration::hours(36);
        let rule = json!({"eventId": self.event_id, "ruleType": "speaker_deadline",
            "tier1HoursBefore": 48, "tier2HoursBefore": 24, "tier3HoursBefore": 2,
            "escalationThreshold": null, "materialDeadline": deadline});
        post_until_answered(
            &organizer(fleet, "notifications"),
            "/api/v1/escalation-rules",
            &rule,
            &format!("deadline-{}", self.event_id),
        )
        .await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let mut mails = Vec::new();
        for email in &self.emails {
            mails.extend(reminded(email).await);
        }
        let punctual = std::slice::from_ref(&self.punctual);
        let stopped =
            reminded(&self.punctual_email).await.len() + self.logged(fleet, punctual).await.len();
        Tally::of_mails(&self.emails, &mails)
            .and(Tally::of(&self.late, &self.logged(fleet, &self.late).await))
            .and(Tally::number(0, stopped))
    }
}
