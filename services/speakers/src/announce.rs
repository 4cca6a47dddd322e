//! What the speakers context announces of a speaker's profile, from the profile handlers
//! and from the address-change link alike.

use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::{person_keys, ApiError};
use shared_domain::contracts::speakers::SpeakerProfileChanged;
use shared_domain::contracts::{Identity, Known};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::speaker::SpeakerFields;

/// Announces a speaker's contact details as they are now; who they are travels sealed with
/// their key.
pub async fn profile(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &SpeakerFields,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
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
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    Ok(())
}
