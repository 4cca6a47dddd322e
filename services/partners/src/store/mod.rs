//! Persistence of the partners schema. Functions taking a connection run inside the
//! caller's transaction, so state and outbox rows commit together.

pub mod analytics;
pub mod constraints;
pub mod contacts;
pub mod meetings;
pub mod partners;
pub mod read_models;
pub mod suggestions;
pub mod votes;
pub mod webhooks;

/// The rows this context keeps about a person (by attendee id), exported to the person
/// through the owning service.
pub const PERSON_HOLDINGS: &[service_kit::peers::Holding] =
    &[("employee_attendance", "attendee_id = $1")];
