//! An upload intent: what a client declares before it uploads (name, type, size, MIME
//! type, SHA-256 and what the file belongs to), checked field by field.

use shared_domain::contracts::content::{ContentType, OwnerKind};
use shared_domain::names::enum_name;
use shared_domain::{FieldError, Parse, Validator};
use uuid::Uuid;

use super::file::{allowed_mime_types, max_size, owner_kinds};

/// What a file belongs to, as the intent names it (exactly one of the four ids).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnerIds {
    pub session_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub speaker_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
}

impl OwnerIds {
    fn named(&self) -> Vec<(OwnerKind, Uuid)> {
        [
            (OwnerKind::Session, self.session_id),
            (OwnerKind::Company, self.company_id),
            (OwnerKind::Speaker, self.speaker_id),
            (OwnerKind::Event, self.event_id),
        ]
        .into_iter()
        .filter_map(|(kind, id)| id.map(|id| (kind, id)))
        .collect()
    }
}

/// The field that names an owner of `kind`.
pub fn owner_field(kind: OwnerKind) -> &'static str {
    match kind {
        OwnerKind::Session => "sessionId",
        OwnerKind::Company => "companyId",
        OwnerKind::Speaker => "speakerId",
        OwnerKind::Event => "eventId",
    }
}

/// An upload intent.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadIntent {
    pub file_name: String,
    pub content_type: ContentType,
    pub size_bytes: i64,
    pub mime_type: String,
    /// SHA-256, lowercase hex.
    pub checksum: String,
    pub owners: OwnerIds,
    /// Set by `check`: the one owner named.
    pub owner: Option<(OwnerKind, Uuid)>,
    /// A presentation's title (the file name when absent) and description.
    pub title: Option<String>,
    pub description: Option<String>,
    /// A presentation meant to be its session's primary one.
    pub is_primary: bool,
}

impl UploadIntent {
    /// The owner named (present once checked).
    pub fn owner(&self) -> (OwnerKind, Uuid) {
        self.owner.unwrap_or((OwnerKind::Event, Uuid::nil()))
    }
}

impl Parse for UploadIntent {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let file_name = v.text("fileName", &self.file_name, 255);
        let max = max_size(self.content_type);
        if self.size_bytes <= 0 || self.size_bytes > max {
            v.reject(
                "fileSizeBytes",
                format!(
                    "must be between 1 and {max} bytes for {}",
                    enum_name(&self.content_type)
                ),
            );
        }
        let mime_type = self.mime_type.trim().to_ascii_lowercase();
        let allowed = allowed_mime_types(self.content_type);
        if !allowed.contains(&mime_type.as_str()) {
            v.reject(
                "mimeType",
                format!(
                    "{} accepts {}",
                    enum_name(&self.content_type),
                    allowed.join(", ")
                ),
            );
        }
        let checksum = self.checksum.trim().to_ascii_lowercase();
        if checksum.len() != 64 || !checksum.bytes().all(|b| b.is_ascii_hexdigit()) {
            v.reject("checksum", "must be the file's SHA-256 as 64 hex digits");
        }
        let owner = owner_of(&mut v, self.content_type, &self.owners);
        let title = v.optional_text("title", self.title.as_deref(), 255);
        let description = v.optional_paragraphs("description", self.description.as_deref(), 2000);
        if self.is_primary && self.content_type != ContentType::Presentation {
            v.reject(
                "isPrimary",
                "only a presentation can be a session's primary file",
            );
        }
        let file_name = v.finish_with(file_name)?;
        Ok(Self {
            file_name,
            mime_type,
            checksum,
            owner,
            title,
            description,
            ..self
        })
    }
}

fn owner_of(
    v: &mut Validator,
    content_type: ContentType,
    owners: &OwnerIds,
) -> Option<(OwnerKind, Uuid)> {
    let kinds = owner_kinds(content_type);
    let fields = kinds
        .iter()
        .map(|k| owner_field(*k))
        .collect::<Vec<_>>()
        .join(" or ");
    match owners.named().as_slice() {
        [(kind, id)] if kinds.contains(kind) => Some((*kind, *id)),
        [(kind, _)] => {
            v.reject(
                owner_field(*kind),
                format!("a {} belongs to a {fields}", enum_name(&content_type)),
            );
            None
        }
        [] => {
            v.reject(
                owner_field(kinds[0]),
                format!("name what the file belongs to: {fields}"),
            );
            None
        }
        [_, (kind, _), ..] => {
            v.reject(owner_field(*kind), "name exactly one owner of the file");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent() -> UploadIntent {
        UploadIntent {
            file_name: "logo.png".into(),
            content_type: ContentType::Logo,
            size_bytes: 1000,
            mime_type: "image/PNG".into(),
            checksum: "A".repeat(64),
            owners: OwnerIds {
                company_id: Some(Uuid::nil()),
                ..Default::default()
            },
            owner: None,
            title: None,
            description: None,
            is_primary: false,
        }
    }

    fn fields(raw: UploadIntent) -> Vec<String> {
        raw.check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_valid_intent_is_normalised() {
        let ok = intent().check().unwrap();
        assert_eq!(ok.mime_type, "image/png");
        assert_eq!(ok.checksum, "a".repeat(64));
        assert_eq!(ok.owner(), (OwnerKind::Company, Uuid::nil()));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = UploadIntent {
            size_bytes: 6 * 1024 * 1024,
            mime_type: "application/pdf".into(),
            checksum: "xyz".into(),
            is_primary: true,
            ..intent()
        };
        assert_eq!(
            fields(bad),
            ["fileSizeBytes", "mimeType", "checksum", "isPrimary"]
        );
    }

    #[test]
    fn the_owner_must_fit_the_content_type() {
        let wrong = UploadIntent {
            owners: OwnerIds {
                session_id: Some(Uuid::nil()),
                ..Default::default()
            },
            ..intent()
        };
        assert_eq!(fields(wrong), ["sessionId"]);
        let none = UploadIntent {
            owners: OwnerIds::default(),
            ..intent()
        };
        assert_eq!(fields(none), ["companyId"]);
        let two = UploadIntent {
            owners: OwnerIds {
                company_id: Some(Uuid::nil()),
                speaker_id: Some(Uuid::nil()),
                ..Default::default()
            },
            ..intent()
        };
        assert_eq!(fields(two), ["speakerId"]);
    }
}
