//! The speakers service's read models: companies (a speaker's company must be known and
//! active), sessions (speakers are invited only to known, live sessions), events (what
//! an invitation shows of the event) and content files (what a submission's materials may
//! name; a photo upload sets the profile photo, see `content`); and the agenda's
//! progress, which moves confirmed speakers to `slot_assigned` and `final_agenda` (their
//! speaking history).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use event_bus::{Envelope, Reaction, ReactionError};
use shared_domain::contracts;
use shared_domain::contracts::events::{
    EventDetailsChanged, EventPublished, OverflowSpeakerDeclined, SessionCancelled, SessionCreated,
    SessionScheduled, SessionUpdated,
};
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::workflow::SpeakerWorkflowState;
use crate::store;
use shared_domain::StateMachine;

mod content;

/// The consumer of the speakers service.
pub struct SpeakersReactions;

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::events::RoleGranted::EVENT_TYPE,
    contracts::events::RoleRevoked::EVENT_TYPE,
    contracts::events::EventDetailsChanged::EVENT_TYPE,
    contracts::events::SessionCreated::EVENT_TYPE,
    contracts::events::SessionUpdated::EVENT_TYPE,
    contracts::events::SessionScheduled::EVENT_TYPE,
    contracts::events::OverflowSpeakerDeclined::EVENT_TYPE,
    contracts::events::EventPublished::EVENT_TYPE,
    contracts::events::SessionCancelled::EVENT_TYPE,
    contracts::content::ContentUploaded::EVENT_TYPE,
    contracts::content::ContentDeleted::EVENT_TYPE,
    contracts::companies::CompanyCreated::EVENT_TYPE,
    contracts::companies::CompanyUpdated::EVENT_TYPE,
    contracts::companies::CompanyArchived::EVENT_TYPE,
];

#[async_trait]
impl Reaction for SpeakersReactions {
    fn handler(&self) -> &'static str {
        "speakers"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if service_kit::grants::record(conn, envelope).await?
            || content::apply(conn, envelope).await?
        {
            return Ok(());
        }
        match envelope.event_type.as_str() {
            EventDetailsChanged::EVENT_TYPE => Ok(store::events::upsert_event(
                conn,
                &envelope.decode::<EventDetailsChanged>()?,
            )
            .await?),
            SessionCreated::EVENT_TYPE => Ok(store::sessions::upsert_session(
                conn,
                &envelope.decode::<SessionCreated>()?.session,
            )
            .await?),
            SessionUpdated::EVENT_TYPE => Ok(store::sessions::upsert_session(
                conn,
                &envelope.decode::<SessionUpdated>()?.session,
            )
            .await?),
            SessionScheduled::EVENT_TYPE => {
                let e: SessionScheduled = envelope.decode()?;
                Ok(on_agenda(conn, &[e.session_id], false, e.scheduled_at).await?)
            }
            OverflowSpeakerDeclined::EVENT_TYPE => {
                let e: OverflowSpeakerDeclined = envelope.decode()?;
                Ok(
                    leave_session(conn, e.session_id, e.speaker_id, &e.reason, e.declined_at)
                        .await?,
                )
            }
            EventPublished::EVENT_TYPE => {
                let e: EventPublished = envelope.decode()?;
                Ok(on_agenda(conn, &e.sessions, true, e.published_at).await?)
            }
            SessionCancelled::EVENT_TYPE => {
                let cancelled: SessionCancelled = envelope.decode()?;
                Ok(store::sessions::cancel_session(
                    conn,
                    cancelled.session_id,
                    cancelled.cancelled_at,
                )
                .await?)
            }
            _ => service_kit::directory::apply_company_event(conn, envelope)
                .await
                .map(|_| ()),
        }
    }
}

/// Moves the confirmed speakers of `sessions` along with the agenda: scheduled, or published.
async fn on_agenda(
    conn: &mut PgConnection,
    sessions: &[Uuid],
    published: bool,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for assignment in store::assignments::of_sessions(conn, sessions).await? {
        if let Some(next) = assignment.workflow_state.on_agenda(published) {
            store::assignments::set_state(conn, assignment.id, next, None, at).await?;
        }
    }
    Ok(())
}

/// A speaker the overflow voting did not select leaves the session (`declined`, with the
/// reason); the organizers decided, so nothing is announced back.
async fn leave_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let assignments = store::assignments::of_sessions(conn, &[session_id]).await?;
    for assignment in assignments.iter().filter(|a| a.speaker_id == speaker_id) {
        if let Ok(declined) = assignment
            .workflow_state
            .transition(SpeakerWorkflowState::Declined)
        {
            store::assignments::set_state(conn, assignment.id, declined, Some(reason), at).await?;
        }
    }
    Ok(())
}
