//! What the speakers context announces of a speaker's profile, from the profile handlers,
//! the address-change link and the photo uploads of the content context alike.

use chrono::{DateTime, Utc};
use event_bus::outbox::{enqueue, OutboxError};
use event_bus::{EventContext, ReactionError};
use service_kit::person_keys::{self, SealError};
use service_kit::ApiError;
use shared_domain::contracts::speakers::SpeakerProfileChanged;
use shared_domain::contracts::{Identity, Known};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::speaker::SpeakerFields;

/// Why an announcement could not be written (it rolls back with its transaction).
#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

impl From<AnnounceError> for ApiError {
    fn from(error: AnnounceError) -> Self {
        match error {
            AnnounceError::Seal(error) => error.into(),
            AnnounceError::Outbox(error) => error.into(),
        }
    }
}

impl From<AnnounceError> for ReactionError {
    fn from(error: AnnounceError) -> Self {
        match error {
            AnnounceError::Seal(SealError::Store(error)) => ReactionError::Database(error),
            AnnounceError::Seal(other) => ReactionError::Refused(other.to_string()),
            AnnounceError::Outbox(error) => error.into(),
        }
    }
}

/// Announces a speaker's contact details and profile photo as they are now; who they are
/// travels sealed with their key.
pub async fn profile(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &SpeakerFields,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), AnnounceError> {
    let identity = Identity {
        email: fields.email.clone(),
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
    };
    let changed = SpeakerProfileChanged {
        speaker_id: id,
        identity: person_keys::seal(conn, id, &identity).await?,
        language: Known::named(&fields.communication_preferences.language),
        email_notifications: fields.communication_preferences.email_notifications,
        company_id: Some(fields.company_id),
        photo_url: fields.profile.profile_photo_url.clone(),
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    Ok(())
}
