//! Plays the contexts the notifications service listens to: publishes their events on the
//! bus, so tests of mail timing can set the scene without running those services.

use chrono::{DateTime, Utc};
use rdkafka::producer::FutureProducer;
use serde_json::Value;
use shared_domain::contracts::events::{RoleGranted, SessionCreated, SessionSnapshot};
use shared_domain::contracts::speakers::{
    ChangesRequested, MaterialSubmitted, SpeakerAccepted, SpeakerInvited, SpeakerProfileChangedV1,
};
use shared_domain::contracts::Known;
use uuid::Uuid;

use crate::api::Api;
use crate::{publish, TestService};

/// A speaker with a session of an event, as their contexts announced them.
#[derive(Debug, Clone, Copy)]
pub struct Assignment {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
}

/// The other contexts, on one service's bus.
pub struct Upstream {
    producer: FutureProducer,
    prefix: String,
}

impl Upstream {
    pub fn of(service: &TestService) -> Self {
        Self {
            producer: crate::producer(&crate::brokers()),
            prefix: service.topic_prefix.clone(),
        }
    }

    /// Makes `user_id` an organizer of `event_id` (the events context's role grant).
    pub async fn organizer(&self, user_id: Uuid, event_id: Uuid) {
        let granted = RoleGranted {
            role_id: Uuid::now_v7(),
            user_id: user_id.to_string(),
            role: Known::named("organizer"),
            event_id: Some(event_id),
            granted_by: "admin".into(),
            granted_at: Utc::now(),
        };
        publish(&self.producer, &self.prefix, &granted).await;
    }

    /// Announces a speaker (the speakers context's profile event).
    pub async fn speaker(&self, email: &str, first_name: &str, language: &str) -> Uuid {
        let id = Uuid::now_v7();
        let profile = SpeakerProfileChangedV1 {
            speaker_id: id,
            email: email.into(),
            first_name: first_name.into(),
            last_name: "Muster".into(),
            language: Known::named(language),
            email_notifications: true,
            changed_at: Utc::now(),
        };
        publish(&self.producer, &self.prefix, &profile).await;
        id
    }

    /// Announces a session of `event_id`.
    pub async fn session(&self, event_id: Uuid, title: &str) -> Uuid {
        let id = Uuid::now_v7();
        let created = SessionCreated {
            session: SessionSnapshot {
                session_id: id,
                event_id,
                title: title.into(),
                session_type: Known::named("presentation"),
                start_time: "2027-03-12T17:00:00Z".parse().unwrap(),
                end_time: "2027-03-12T17:40:00Z".parse().unwrap(),
                room: Some("Arena".into()),
                language: "de".into(),
                version: 1,
            },
        };
        publish(&self.producer, &self.prefix, &created).await;
        id
    }

    /// A new speaker invited to a new session of `event_id`.
    pub async fn invited(&self, email: &str, language: &str, event_id: Uuid) -> Assignment {
        let speaker_id = self.speaker(email, "Mia", language).await;
        let assignment = self
            .assigned(speaker_id, event_id, "Event Sourcing in Practice")
            .await;
        self.invite(&assignment).await;
        assignment
    }

    /// A new session of `event_id` titled `title` for `speaker_id` (not yet announced).
    pub async fn assigned(&self, speaker_id: Uuid, event_id: Uuid, title: &str) -> Assignment {
        let session_id = self.session(event_id, title).await;
        Assignment {
            assignment_id: Uuid::now_v7(),
            speaker_id,
            session_id,
            event_id,
        }
    }

    /// The invitation of `assignment` (mailed with its link).
    pub async fn invite(&self, a: &Assignment) {
        let invited = SpeakerInvited {
            assignment_id: a.assignment_id,
            speaker_id: a.speaker_id,
            session_id: a.session_id,
            event_id: a.event_id,
            role: Known::named("primary_speaker"),
            presentation_title: Some("Event Sourcing in Practice".into()),
            invitation_link: format!("https://batbern.ch/invitations/{}?token=t", a.assignment_id),
            expires_at: "2027-02-01T12:00:00Z".parse().unwrap(),
            invited_at: Utc::now(),
        };
        publish(&self.producer, &self.prefix, &invited).await;
    }

    pub async fn accept(&self, a: &Assignment) {
        let accepted = SpeakerAccepted {
            assignment_id: a.assignment_id,
            speaker_id: a.speaker_id,
            session_id: a.session_id,
            event_id: a.event_id,
            role: Known::named("primary_speaker"),
            presentation_title: None,
            accepted_at: Utc::now(),
        };
        publish(&self.producer, &self.prefix, &accepted).await;
    }

    pub async fn request_changes(&self, a: &Assignment, deadline: DateTime<Utc>) {
        let requested = ChangesRequested {
            assignment_id: a.assignment_id,
            speaker_id: a.speaker_id,
            session_id: a.session_id,
            event_id: a.event_id,
            feedback: "Please add the lessons learned".into(),
            revision_deadline: deadline,
            requested_at: Utc::now(),
        };
        publish(&self.producer, &self.prefix, &requested).await;
    }

    pub async fn submit(&self, a: &Assignment, revision: i32) {
        let submitted = MaterialSubmitted {
            assignment_id: a.assignment_id,
            speaker_id: a.speaker_id,
            session_id: a.session_id,
            event_id: a.event_id,
            revision,
            submitted_at: Utc::now(),
        };
        publish(&self.producer, &self.prefix, &submitted).await;
    }
}

/// Waits until the notifications service of `db` knows `user_id` organizes something
/// (role grants travel on another topic than the speakers' events that mail organizers).
pub async fn organizer_known(db: &crate::TestDb, user_id: Uuid) {
    use sqlx::Connection;
    crate::eventually(
        std::time::Duration::from_secs(60),
        "the organizer's role reaches notifications",
        || async {
            let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.ok()?;
            let roles: i64 = sqlx::query_scalar(
                "select count(*) from notifications.organizer_roles where user_id = $1",
            )
            .bind(user_id)
            .fetch_one(&mut admin)
            .await
            .ok()?;
            (roles > 0).then_some(())
        },
    )
    .await;
}

/// Waits until the scheduler has read `clock` several times since now (so it has looked
/// at the time it shows).
pub async fn settle(clock: &notifications::clock::ManualClock) {
    let seen = clock.reads();
    crate::eventually(
        std::time::Duration::from_secs(20),
        "the scheduler ticks",
        || async { (clock.reads() >= seen + 12).then_some(()) },
    )
    .await;
}

/// The notification log entries of `recipient`, newest first.
pub async fn log_of(api: &Api, recipient: Uuid) -> Vec<Value> {
    api.get(&format!(
        "/api/v1/notifications?recipientId={recipient}&limit=100"
    ))
    .await
    .expect(reqwest::StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until `recipient` has a log entry of `notification_type` in `status`.
pub async fn logged(api: &Api, recipient: Uuid, notification_type: &str, status: &str) -> Value {
    crate::eventually(
        std::time::Duration::from_secs(60),
        &format!("a {status} {notification_type} for {recipient} in the log"),
        || async {
            log_of(api, recipient).await.into_iter().find(|n| {
                n["notificationType"] == notification_type && n["deliveryStatus"] == status
            })
        },
    )
    .await
}
