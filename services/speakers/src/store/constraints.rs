//! What the speakers schema's unique constraints mean to a client that runs into one (the
//! shared problem mapping answers every other violation generically, never with a 500).

use service_kit::problem::ConstraintAnswer;

/// The constraint table of the speakers service.
pub static CONSTRAINTS: &[ConstraintAnswer] = &[
    ConstraintAnswer {
        constraint: "speakers_email_unique",
        field: "email",
        message: "cannot be used for this speaker",
    },
    ConstraintAnswer {
        constraint: "session_speakers_once_per_session",
        field: "sessionId",
        message: "the speaker is on this session already",
    },
];
