//! A speaker's fields and their validation.

use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;
use uuid::Uuid;

/// Whether a speaker can take on sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerAvailability {
    Available,
    Busy,
    Unavailable,
}

/// The public profile of a speaker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpeakerProfile {
    #[serde(default)]
    pub short_bio: String,
    #[serde(default)]
    pub detailed_bio: String,
    #[serde(default)]
    pub expertise_areas: Vec<String>,
    pub profile_photo_url: Option<String>,
    pub linked_in_url: Option<String>,
    pub twitter_handle: Option<String>,
    #[serde(default)]
    pub certifications: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub speaking_topics: Vec<String>,
}

/// How a speaker wants to be contacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactPreferences {
    /// Language of mails (de or en).
    pub language: String,
    pub email_notifications: bool,
}

impl Default for ContactPreferences {
    fn default() -> Self {
        Self {
            language: "de".into(),
            email_notifications: true,
        }
    }
}

/// Everything set on a speaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerFields {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Uuid,
    pub position: Option<String>,
    pub profile: SpeakerProfile,
    pub availability: SpeakerAvailability,
    pub communication_preferences: ContactPreferences,
}

impl Parse for SpeakerFields {
    /// Validates and normalises (emails lower-cased); `Err` lists every invalid field.
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let email = v.email("email", &self.email);
        let first_name = v.text("firstName", &self.first_name, 100);
        let last_name = v.text("lastName", &self.last_name, 100);
        let position = v.optional_text("position", self.position.as_deref(), 255);
        let p = &self.profile;
        if p.short_bio.chars().count() > 500 {
            v.reject("profile.shortBio", "must be at most 500 characters");
        }
        if p.detailed_bio.chars().count() > 5000 {
            v.reject("profile.detailedBio", "must be at most 5000 characters");
        }
        let photo = v.optional_url(
            "profile.profilePhotoUrl",
            p.profile_photo_url.as_deref(),
            500,
        );
        let linked_in = v.optional_url("profile.linkedInUrl", p.linked_in_url.as_deref(), 500);
        if !["de", "en"].contains(&self.communication_preferences.language.as_str()) {
            v.reject("communicationPreferences.language", "must be de or en");
        }
        let (email, first_name, last_name) = v.finish_with((email, first_name, last_name))?;
        let profile = SpeakerProfile {
            profile_photo_url: photo,
            linked_in_url: linked_in,
            ..self.profile
        };
        Ok(Self {
            email,
            first_name,
            last_name,
            position,
            profile,
            ..self
        })
    }
}
