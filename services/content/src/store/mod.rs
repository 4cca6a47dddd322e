//! SQL of the content service; functions take the caller's connection, so state and
//! outbox commit together.

pub mod constraints;
pub mod files;
pub mod materials;
pub mod quotas;
pub mod read_models;
