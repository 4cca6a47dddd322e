//! An attendee's fields and their validation, GDPR consent included.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;
use uuid::Uuid;

/// The consent to the privacy policy an attendee gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GdprConsent {
    pub given: bool,
    pub given_at: Option<DateTime<Utc>>,
    pub policy_version: Option<String>,
}

/// Everything an attendee (or an organizer) sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendeeFields {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Option<Uuid>,
    pub position: Option<String>,
    pub newsletter_subscription: bool,
    pub consent: GdprConsent,
    /// Language of mails: one of [`LANGUAGES`].
    pub language: String,
}

/// The languages mails are written in; the first is the default.
pub const LANGUAGES: [&str; 2] = ["de", "en"];

/// The domain of the placeholder addresses of erased attendees; nobody may use it.
pub const ERASED_DOMAIN: &str = "@erased.invalid";

impl Parse for AttendeeFields {
    /// Validates and normalises (emails are lower-cased); `Err` lists every invalid field.
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let email = v.email("email", &self.email);
        if email.as_deref().is_some_and(|e| e.ends_with(ERASED_DOMAIN)) {
            v.reject("email", "this domain is reserved");
        }
        let first_name = v.text("firstName", &self.first_name, 100);
        let last_name = v.text("lastName", &self.last_name, 100);
        let position = v.optional_text("position", self.position.as_deref(), 255);
        let policy_version = v.optional_text(
            "gdprConsent.policyVersion",
            self.consent.policy_version.as_deref(),
            50,
        );
        if self.consent.given && policy_version.is_none() {
            v.reject(
                "gdprConsent.policyVersion",
                "is required when consent is given",
            );
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            v.reject("language", "must be de or en");
        }
        let (email, first_name, last_name) = v.finish_with((email, first_name, last_name))?;
        Ok(Self {
            email,
            first_name,
            last_name,
            position,
            consent: GdprConsent {
                policy_version,
                ..self.consent
            },
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_domain::Valid;

    fn ada() -> AttendeeFields {
        AttendeeFields {
            email: " Ada@Example.CH ".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company_id: None,
            position: None,
            newsletter_subscription: true,
            consent: GdprConsent {
                given: true,
                given_at: None,
                policy_version: Some("2026-01".into()),
            },
            language: "de".into(),
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Valid::parse(ada()).unwrap().email, "ada@example.ch");
        for bad in [
            "ada",
            "ada@ch",
            "a da@x.ch",
            "@x.ch",
            "ada@.ch",
            "erased-1@erased.invalid",
        ] {
            let fields = AttendeeFields {
                email: bad.into(),
                ..ada()
            };
            assert_eq!(Valid::parse(fields).unwrap_err()[0].field, "email", "{bad}");
        }
    }

    #[test]
    fn only_known_languages_are_accepted() {
        let english = AttendeeFields {
            language: "en".into(),
            ..ada()
        };
        assert_eq!(Valid::parse(english).unwrap().language, "en");
        for bad in ["fr", "EN", "", "deu"] {
            let fields = AttendeeFields {
                language: bad.into(),
                ..ada()
            };
            assert_eq!(
                Valid::parse(fields).unwrap_err()[0].field,
                "language",
                "{bad}"
            );
        }
    }

    #[test]
    fn consent_needs_a_policy_version() {
        let fields = AttendeeFields {
            consent: GdprConsent {
                given: true,
                given_at: None,
                policy_version: None,
            },
            ..ada()
        };
        assert_eq!(
            Valid::parse(fields).unwrap_err()[0].field,
            "gdprConsent.policyVersion"
        );
    }
}
