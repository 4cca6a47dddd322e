//! What a submission's materials may name: files of the content context that still exist,
//! are presentations (or archive material) and belong to the assignment's session or to its
//! speaker. The form of each id is checked first; the handler then looks the files up.

use shared_domain::contracts::content::{ContentType, OwnerKind};
use shared_domain::contracts::Known;
use shared_domain::{FieldError, Validator};
use uuid::Uuid;

/// The most materials one submission names.
pub const MAX_MATERIALS: usize = 20;

/// The field of the material at `index`, as problems name it.
pub fn field(index: usize) -> String {
    format!("materials[{index}]")
}

/// The file ids `raw` names, in order; an entry that is not a UUID, or repeats an earlier
/// one, is rejected on its own field.
pub fn parse_ids(v: &mut Validator, raw: &[String]) -> Vec<Uuid> {
    if raw.len() > MAX_MATERIALS {
        v.reject(
            "materials",
            format!("must name at most {MAX_MATERIALS} files"),
        );
    }
    let mut ids = Vec::new();
    for (index, entry) in raw.iter().enumerate() {
        match Uuid::parse_str(entry.trim()) {
            Ok(id) if ids.contains(&id) => v.reject(&field(index), "names a file listed before"),
            Ok(id) => ids.push(id),
            Err(_) => v.reject(&field(index), "must be a file id (a UUID)"),
        }
    }
    ids
}

/// A file as the content context announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialFile {
    pub content_type: Known<ContentType>,
    pub owner_kind: Known<OwnerKind>,
    pub owner_id: Uuid,
    pub deleted: bool,
}

/// The assignment the materials are submitted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub session_id: Uuid,
    pub speaker_id: Uuid,
}

/// Checks the files of a submission (in the order the request names them); `Err` names
/// every file that does not fit.
pub fn check_files(files: &[MaterialFile], assignment: Assignment) -> Result<(), Vec<FieldError>> {
    let mut v = Validator::new();
    for (index, file) in files.iter().enumerate() {
        if let Some(problem) = refusal(file, assignment) {
            v.reject(&field(index), problem);
        }
    }
    v.finish()
}

fn refusal(file: &MaterialFile, assignment: Assignment) -> Option<&'static str> {
    let material = matches!(
        file.content_type.get(),
        Some(ContentType::Presentation | ContentType::ArchiveMaterial)
    );
    let owned = match file.owner_kind.get() {
        Some(OwnerKind::Session) => file.owner_id == assignment.session_id,
        Some(OwnerKind::Speaker) => file.owner_id == assignment.speaker_id,
        _ => false,
    };
    if file.deleted {
        Some("the file was deleted")
    } else if !material {
        Some("is not a presentation or archive material")
    } else if !owned {
        Some("belongs to another session or speaker")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment() -> Assignment {
        Assignment {
            session_id: Uuid::now_v7(),
            speaker_id: Uuid::now_v7(),
        }
    }

    fn file(content_type: ContentType, owner_kind: OwnerKind, owner_id: Uuid) -> MaterialFile {
        MaterialFile {
            content_type: content_type.into(),
            owner_kind: owner_kind.into(),
            owner_id,
            deleted: false,
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn each_entry_must_be_a_file_id_named_once() {
        let id = Uuid::now_v7().to_string();
        let mut v = Validator::new();
        let ids = parse_ids(&mut v, &[id.clone(), "slides.pdf".into(), id]);
        assert_eq!(ids.len(), 1);
        assert_eq!(
            fields(&v.finish().unwrap_err()),
            ["materials[1]", "materials[2]"]
        );
    }

    #[test]
    fn presentations_of_the_session_or_the_speaker_are_accepted() {
        let a = assignment();
        let files = [
            file(ContentType::Presentation, OwnerKind::Session, a.session_id),
            file(
                ContentType::ArchiveMaterial,
                OwnerKind::Speaker,
                a.speaker_id,
            ),
        ];
        assert_eq!(check_files(&files, a), Ok(()));
    }

    #[test]
    fn deleted_foreign_or_other_kinds_of_files_are_refused_by_index() {
        let a = assignment();
        let deleted = MaterialFile {
            deleted: true,
            ..file(ContentType::Presentation, OwnerKind::Session, a.session_id)
        };
        let files = [
            file(ContentType::Presentation, OwnerKind::Session, a.session_id),
            deleted,
            file(
                ContentType::Presentation,
                OwnerKind::Session,
                Uuid::now_v7(),
            ),
            file(ContentType::SpeakerPhoto, OwnerKind::Speaker, a.speaker_id),
            file(ContentType::Presentation, OwnerKind::Company, a.speaker_id),
            MaterialFile {
                content_type: Known::Unknown("video".into()),
                ..file(ContentType::Presentation, OwnerKind::Session, a.session_id)
            },
        ];
        let errors = check_files(&files, a).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "materials[1]",
                "materials[2]",
                "materials[3]",
                "materials[4]",
                "materials[5]"
            ]
        );
        assert_eq!(errors[0].message, "the file was deleted");
    }
}
