//! Persistence of the events schema. Functions taking a connection run inside the caller's
//! transaction, so state and outbox rows commit together.

pub mod constraints;
pub mod events;
pub mod overflow;
pub mod quality;
pub mod roles;
pub mod seats;
pub mod sessions;
pub mod slots;
pub mod topics;
