//! The content service's consumer: sessions and whether their events are published, the
//! speakers who accepted a session (and those the overflow voting did not select), the
//! company directory, role grants, and erasure (an erased speaker's photo and CV are
//! deleted; the sweeper removes the objects).

use async_trait::async_trait;
use chrono::Utc;
use event_bus::{Envelope, EventContext, Reaction, ReactionError};
use shared_domain::contracts;
use shared_domain::contracts::content::{DeletionReason, OwnerKind};
use shared_domain::contracts::events::{
    EventPublished, EventState, EventStatusChanged, OverflowSpeakerDeclined, SessionCancelled,
    SessionCreated, SessionUpdated,
};
use shared_domain::contracts::speakers::{SpeakerAccepted, SpeakerDeclined, SpeakerErased};
use shared_domain::contracts::Known;
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;

use crate::lifecycle::{self, PublicBase};
use crate::store::{files, read_models};

/// The consumer of the content service.
pub struct ContentReactions {
    /// The public base of file addresses (for the announcements erasure makes).
    pub public_base_url: String,
}

/// Whether an event in `state` is published (its agenda public).
fn published(state: &Known<EventState>) -> bool {
    use EventState::*;
    matches!(
        state,
        Known::Value(
            Published | RegistrationOpen | RegistrationClosed | InProgress | Completed | Archived
        )
    )
}

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::events::RoleGranted::EVENT_TYPE,
    contracts::events::RoleRevoked::EVENT_TYPE,
    contracts::events::SessionCreated::EVENT_TYPE,
    contracts::events::SessionUpdated::EVENT_TYPE,
    contracts::events::SessionCancelled::EVENT_TYPE,
    contracts::events::EventPublished::EVENT_TYPE,
    contracts::events::EventStatusChanged::EVENT_TYPE,
    contracts::events::OverflowSpeakerDeclined::EVENT_TYPE,
    contracts::speakers::SpeakerAccepted::EVENT_TYPE,
    contracts::speakers::SpeakerDeclined::EVENT_TYPE,
    contracts::speakers::SpeakerErased::EVENT_TYPE,
    contracts::companies::CompanyCreated::EVENT_TYPE,
    contracts::companies::CompanyUpdated::EVENT_TYPE,
    contracts::companies::CompanyArchived::EVENT_TYPE,
];

#[async_trait]
impl Reaction for ContentReactions {
    fn handler(&self) -> &'static str {
        "content"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if service_kit::grants::record(conn, envelope).await? {
            return Ok(());
        }
        match envelope.event_type.as_str() {
            SessionCreated::EVENT_TYPE | SessionUpdated::EVENT_TYPE => {
                let s: SessionCreated = envelope.decode()?;
                let s = s.session;
                Ok(
                    read_models::upsert_session(
                        conn,
                        s.session_id,
                        s.event_id,
                        &s.title,
                        s.version,
                    )
                    .await?,
                )
            }
            SessionCancelled::EVENT_TYPE => {
                let s: SessionCancelled = envelope.decode()?;
                Ok(read_models::cancel_session(conn, s.session_id).await?)
            }
            EventPublished::EVENT_TYPE => {
                let e: EventPublished = envelope.decode()?;
                Ok(read_models::set_event_published(conn, e.event_id, true).await?)
            }
            EventStatusChanged::EVENT_TYPE => {
                let e: EventStatusChanged = envelope.decode()?;
                Ok(read_models::set_event_published(conn, e.event_id, published(&e.to)).await?)
            }
            SpeakerAccepted::EVENT_TYPE => {
                let e: SpeakerAccepted = envelope.decode()?;
                Ok(read_models::set_speaking(conn, e.session_id, e.speaker_id, true).await?)
            }
            SpeakerDeclined::EVENT_TYPE => {
                let e: SpeakerDeclined = envelope.decode()?;
                Ok(read_models::set_speaking(conn, e.session_id, e.speaker_id, false).await?)
            }
            OverflowSpeakerDeclined::EVENT_TYPE => {
                let e: OverflowSpeakerDeclined = envelope.decode()?;
                Ok(read_models::leave_in_overflow(conn, e.session_id, e.speaker_id).await?)
            }
            SpeakerErased::EVENT_TYPE => {
                let e: SpeakerErased = envelope.decode()?;
                self.erase_speaker(conn, e.speaker_id, envelope).await
            }
            _ => service_kit::directory::apply_company_event(conn, envelope)
                .await
                .map(|_| ()),
        }
    }
}

impl ContentReactions {
    /// Deletes every file of an erased speaker and refuses new ones.
    async fn erase_speaker(
        &self,
        conn: &mut PgConnection,
        speaker_id: uuid::Uuid,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        let now = Utc::now();
        read_models::erase_speaker(conn, speaker_id, now).await?;
        let context = EventContext::caused_by(envelope);
        let base = PublicBase(&self.public_base_url);
        for f in files::lock_of_owner(conn, (OwnerKind::Speaker, speaker_id)).await? {
            lifecycle::delete(conn, &f, DeletionReason::Erased, base, now, &context)
                .await
                .map_err(|e| ReactionError::Refused(format!("{e:?}")))?;
        }
        Ok(())
    }
}
