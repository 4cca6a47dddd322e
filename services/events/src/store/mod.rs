//! Persistence of the events schema. Functions taking a connection run inside the caller's
//! transaction, so state and outbox rows commit together.

pub mod constraints;
pub mod events;
pub mod materials;
pub mod overflow;
pub mod people;
pub mod quality;
pub mod roles;
pub mod seats;
pub mod sessions;
pub mod slots;
pub mod topics;
pub mod votes;

/// The rows this context keeps about a person (by attendee or speaker id), exported to the
/// person through the owning service: seats, session line-ups, slot preferences, overflow.
pub const PERSON_HOLDINGS: &[service_kit::peers::Holding] = &[
    ("seat_reservations", "attendee_id = $1"),
    ("session_speakers", "speaker_id = $1"),
    ("speaker_profiles", "speaker_id = $1"),
    ("speaker_slot_preferences", "speaker_id = $1"),
    ("overflow_speakers", "speaker_id = $1"),
    ("speaker_selection_votes", "speaker_id = $1"),
];
