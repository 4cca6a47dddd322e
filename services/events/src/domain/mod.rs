//! The events domain: the event's state machines, its slot grid, sessions, the agenda's
//! completeness and the seat decision of the registration saga. No I/O.

pub mod agenda;
pub mod event;
pub mod overflow;
pub mod quality;
pub mod roles;
pub mod seats;
pub mod session;
pub mod slots;
pub mod status;
pub mod topic;

use uuid::Uuid;

/// Why an events operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("no event {0}")]
    NotFound(Uuid),
    #[error("no session {0}")]
    SessionNotFound(Uuid),
    #[error("no slot {0}")]
    SlotNotFound(Uuid),
    #[error("no topic {0}")]
    TopicNotFound(Uuid),
    #[error("event number {0} is already taken")]
    NumberTaken(i32),
    #[error(transparent)]
    Transition(#[from] shared_domain::TransitionRefused),
    #[error("the agenda is not complete: {}", .0.join("; "))]
    AgendaIncomplete(Vec<String>),
    #[error("publishing needs the approved content of every speaker on the agenda; not yet approved: {}. An organizer may publish anyway with overrideContentReview and a reason", .0.join(", "))]
    ContentNotApproved(Vec<String>),
    #[error("{0}")]
    Conflict(String),
}

pub use shared_domain::names::enum_name;
