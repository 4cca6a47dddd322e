//! What the speakers context announces of a speaker's profile, from the profile handlers
//! and from the address-change link alike.

use chrono::{DateTime, Utc};
use shared_domain::contracts::speakers::SpeakerProfileChanged;
use shared_domain::contracts::Known;
use uuid::Uuid;

use crate::domain::speaker::SpeakerFields;

/// The announcement of a speaker's contact details as they are now.
pub fn profile_changed(
    id: Uuid,
    fields: &SpeakerFields,
    now: DateTime<Utc>,
) -> SpeakerProfileChanged {
    SpeakerProfileChanged {
        speaker_id: id,
        email: fields.email.clone(),
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
        language: Known::named(&fields.communication_preferences.language),
        email_notifications: fields.communication_preferences.email_notifications,
        changed_at: now,
    }
}
