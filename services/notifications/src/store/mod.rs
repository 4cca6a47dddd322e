//! The notifications schema's queries. Functions that are part of a larger write take a
//! connection (`&mut PgConnection`) so the caller's transaction covers them.

pub mod constraints;
pub mod deferred;
pub mod directory;
pub mod log;
pub mod obligations;
pub mod preferences;
pub mod registrations;
pub mod rules;
pub mod templates;

/// The rows this context keeps about a person (by attendee, speaker or partner contact id),
/// exported to the person through the owning service: the contact, preferences,
/// newsletter, deadlines, whose contact they are and every mail logged for them.
pub const PERSON_HOLDINGS: &[service_kit::peers::Holding] = &[
    ("recipients", "id = $1"),
    ("notification_preferences", "user_id = $1"),
    ("newsletter_subscribers", "attendee_id = $1"),
    ("material_obligations", "speaker_id = $1"),
    ("notification_log", "user_id = $1"),
    ("event_registrations", "attendee_id = $1"),
    ("partner_contacts", "contact_id = $1"),
];
