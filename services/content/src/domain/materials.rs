//! Session materials: supplementary materials of five kinds (a file or a link), the
//! recording and the photo gallery.

use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use uuid::Uuid;

/// The kinds of supplementary material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialType {
    CodeSample,
    Slides,
    Handout,
    ResourceLink,
    DemoVideo,
}

/// A supplementary material to add: a completed file of the session, or a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Supplementary {
    pub title: String,
    pub description: Option<String>,
    pub material_type: MaterialType,
    pub file_id: Option<Uuid>,
    pub url: Option<String>,
}

impl Parse for Supplementary {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let title = v.text("title", &self.title, 255);
        let description = v.optional_paragraphs("description", self.description.as_deref(), 2000);
        let url = v.optional_url("url", self.url.as_deref(), 1000);
        match (self.file_id, self.url.as_deref().map(str::trim)) {
            (Some(_), Some(u)) if !u.is_empty() => {
                v.reject("url", "give a fileId or a url, not both")
            }
            (None, None) | (None, Some("")) => v.reject("fileId", "give a fileId or a url"),
            _ => {}
        }
        let title = v.finish_with(title)?;
        Ok(Self {
            title,
            description,
            url,
            ..self
        })
    }
}

/// The most photos a session's gallery holds.
pub const MAX_PHOTOS: usize = 50;

/// The recording and the gallery of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub recording_url: Option<String>,
    pub photo_file_ids: Vec<Uuid>,
}

impl Parse for Details {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let recording_url = v.optional_url("recordingUrl", self.recording_url.as_deref(), 1000);
        if self.photo_file_ids.len() > MAX_PHOTOS {
            v.reject("photoFileIds", format!("at most {MAX_PHOTOS} photos"));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(i) = self.photo_file_ids.iter().position(|id| !seen.insert(*id)) {
            v.reject(&format!("photoFileIds[{i}]"), "appears twice");
        }
        v.finish()?;
        Ok(Self {
            recording_url,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Supplementary {
        Supplementary {
            title: " Repo ".into(),
            description: None,
            material_type: MaterialType::ResourceLink,
            file_id: None,
            url: Some("https://example.org/repo".into()),
        }
    }

    #[test]
    fn a_link_without_a_file_is_allowed() {
        assert_eq!(link().check().unwrap().title, "Repo");
    }

    #[test]
    fn a_file_or_a_link_exactly() {
        let neither = Supplementary {
            url: None,
            ..link()
        };
        assert_eq!(neither.check().unwrap_err()[0].field, "fileId");
        let both = Supplementary {
            file_id: Some(Uuid::nil()),
            ..link()
        };
        assert_eq!(both.check().unwrap_err()[0].field, "url");
        let bad = Supplementary {
            url: Some("ftp://x".into()),
            ..link()
        };
        assert_eq!(bad.check().unwrap_err()[0].field, "url");
    }

    #[test]
    fn a_gallery_names_each_photo_once() {
        let id = Uuid::from_u128(7);
        let twice = Details {
            recording_url: None,
            photo_file_ids: vec![id, id],
        };
        assert_eq!(twice.check().unwrap_err()[0].field, "photoFileIds[1]");
    }
}
