//! The attendees domain: who an attendee is, and how a registration moves through the
//! registration saga. No I/O.

pub mod attendee;
pub mod registration;

use uuid::Uuid;

/// Why an attendees operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AttendeeError {
    #[error("no attendee {0}")]
    NotFound(Uuid),
    #[error("no registration {0}")]
    RegistrationNotFound(Uuid),
    #[error("an attendee with this email already exists")]
    EmailTaken { existing_id: Uuid },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(&'static str),
}

/// Parses a stored snake_case enum value.
pub fn parse_stored<T: serde::de::DeserializeOwned>(value: &str) -> T {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).expect("stored enum values are valid")
}

/// The snake_case name of an enum value.
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
