//! Persistence of the speakers schema. Functions taking a connection run inside the
//! caller's transaction, so state and outbox rows commit together.

pub mod assignments;
pub mod constraints;
pub mod content_files;
pub mod events;
pub mod preferences;
pub mod reviews;
pub mod sessions;
pub mod speakers;
