//! The companies domain: what a valid company is, who may change it and which upload is its
//! logo. No I/O.

pub mod access;
pub mod company;
pub mod logo;

pub use company::{Address, CompanyFields, SocialLinks};

/// Why a company operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompanyError {
    #[error("no company {0}")]
    NotFound(uuid::Uuid),
    #[error("company {0} has no logo")]
    NoLogo(uuid::Uuid),
    #[error("a company named {name:?} already exists")]
    NameTaken {
        name: String,
        existing_id: Option<uuid::Uuid>,
    },
    #[error("company {0} is archived and can no longer be changed")]
    Archived(uuid::Uuid),
    #[error("{0}")]
    Forbidden(&'static str),
}
