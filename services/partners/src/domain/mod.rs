//! The partners domain: tiers and their benefits, what a valid partner, contact, vote,
//! suggestion and meeting is, who may see and change what, and the analytics formulas.
//! No I/O.

pub mod access;
pub mod analytics;
pub mod contact;
pub mod meeting;
pub mod partner;
pub mod suggestion;
pub mod vote;
pub mod webhook;

use uuid::Uuid;

/// Why a partner operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PartnerError {
    /// Absent, or not the caller's to see (others learn nothing of what exists).
    #[error("no {0} {1}")]
    NotFound(&'static str, Uuid),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(&'static str),
}
