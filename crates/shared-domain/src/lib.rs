//! The pure domain vocabulary shared by every BATbern service: identifiers, value objects,
//! validation helpers and the integration-event contracts each context publishes.
//!
//! Nothing here performs I/O; the crate is the only contract between services.

pub mod address_change;
pub mod contracts;
pub mod names;
pub mod transitions;
pub mod validation;

pub use contracts::IntegrationEvent;
pub use transitions::{StateMachine, TransitionRefused};
pub use validation::{FieldError, Parse, Valid, Validator};

/// A new application-generated identifier (UUIDv7: time-ordered, so indexes stay compact).
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
