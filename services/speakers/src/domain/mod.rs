//! The speakers domain: who a speaker is and how a speaker's assignment to a session moves
//! through the 8-state workflow, the files a submission names and the profile photo uploads
//! set. No I/O.

pub mod materials;
pub mod photo;
pub mod preferences;
pub mod review;
pub mod speaker;
pub mod workflow;

use uuid::Uuid;

/// Why a speakers operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpeakerError {
    #[error("no speaker {0}")]
    NotFound(Uuid),
    #[error("no invitation {0}")]
    InvitationNotFound(Uuid),
    #[error("a speaker with this email already exists")]
    EmailTaken { existing_id: Uuid },
    #[error(transparent)]
    Transition(#[from] shared_domain::TransitionRefused),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Forbidden(&'static str),
}
