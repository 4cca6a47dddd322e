//! Persistence of the attendees schema. Functions taking a connection run inside the
//! caller's transaction, so state and outbox rows commit together.

pub mod attendees;
pub mod constraints;
pub mod engagement;
pub mod newsletter;
pub mod registrations;
