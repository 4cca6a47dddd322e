//! The attendees domain: who an attendee is, and how a registration moves through the
//! registration saga. No I/O.

pub mod attendee;
pub mod calendar;
pub mod newsletter;
pub mod registration;
pub mod signup;

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
    #[error("{} fields are invalid", .0.len())]
    Invalid(Vec<shared_domain::FieldError>),
}

pub use shared_domain::names::enum_name;
