//! A partner's contact person: name, address, role in the company and mail language.

use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;

/// The language of a contact's mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactLanguage {
    De,
    En,
}

/// What can be set of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
    pub language: ContactLanguage,
    pub is_primary: bool,
}

impl Parse for ContactFields {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let first_name = v.text("firstName", &self.first_name, 100);
        let last_name = v.text("lastName", &self.last_name, 100);
        let email = v.email("email", &self.email);
        let role = v.text("role", &self.role, 100);
        let (first_name, last_name, email, role) =
            v.finish_with((first_name, last_name, email, role))?;
        Ok(Self {
            first_name,
            last_name,
            email,
            role,
            ..self
        })
    }
}
