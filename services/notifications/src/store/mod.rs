//! The notifications schema's queries. Functions that are part of a larger write take a
//! connection (`&mut PgConnection`) so the caller's transaction covers them.

pub mod constraints;
pub mod deferred;
pub mod directory;
pub mod log;
pub mod obligations;
pub mod preferences;
pub mod rules;
pub mod templates;
