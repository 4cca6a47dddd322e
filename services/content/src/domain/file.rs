//! What a file may be: the types and sizes each content type accepts, what it may belong
//! to, how its object key is laid out, and how a confirmation's checks decide its outcome.

use shared_domain::contracts::content::{ContentType, OwnerKind};
use shared_domain::names::enum_name;
use uuid::Uuid;

const MB: i64 = 1024 * 1024;

const PDF: &str = "application/pdf";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const KEYNOTE: &str = "application/vnd.apple.keynote";
const ODP: &str = "application/vnd.oasis.opendocument.presentation";
const ZIP: &str = "application/zip";
const PNG: &str = "image/png";
const JPEG: &str = "image/jpeg";
const WEBP: &str = "image/webp";
const SVG: &str = "image/svg+xml";

/// The MIME types a content type accepts.
pub fn allowed_mime_types(content_type: ContentType) -> &'static [&'static str] {
    match content_type {
        ContentType::Presentation => &[PDF, PPTX, KEYNOTE, ODP],
        ContentType::Logo => &[PNG, SVG, JPEG, WEBP],
        ContentType::SpeakerPhoto | ContentType::EventPhoto => &[JPEG, PNG, WEBP],
        ContentType::SpeakerCv => &[PDF],
        ContentType::ArchiveMaterial => &[PDF, PPTX, ODP, ZIP, JPEG, PNG],
    }
}

/// The largest file a content type accepts, in bytes.
pub fn max_size(content_type: ContentType) -> i64 {
    match content_type {
        ContentType::Logo => 5 * MB,
        ContentType::SpeakerPhoto | ContentType::SpeakerCv => 10 * MB,
        ContentType::EventPhoto => 20 * MB,
        ContentType::Presentation => 100 * MB,
        ContentType::ArchiveMaterial => 200 * MB,
    }
}

/// What a content type may belong to.
pub fn owner_kinds(content_type: ContentType) -> &'static [OwnerKind] {
    match content_type {
        ContentType::Presentation => &[OwnerKind::Session],
        ContentType::Logo => &[OwnerKind::Company],
        ContentType::SpeakerPhoto | ContentType::SpeakerCv => &[OwnerKind::Speaker],
        ContentType::EventPhoto | ContentType::ArchiveMaterial => {
            &[OwnerKind::Event, OwnerKind::Session]
        }
    }
}

/// Whether a file of this type is public by nature (shown wherever its owner is shown).
pub fn is_public(content_type: ContentType) -> bool {
    matches!(
        content_type,
        ContentType::Logo | ContentType::SpeakerPhoto | ContentType::EventPhoto
    )
}

/// Whether a newer completed file of this type replaces the owner's previous one.
pub fn replaces_previous(content_type: ContentType) -> bool {
    matches!(content_type, ContentType::Logo | ContentType::SpeakerPhoto)
}

/// Whether the first bytes of an object fit its declared MIME type.
pub fn magic_matches(mime_type: &str, head: &[u8]) -> bool {
    match mime_type {
        PDF => head.starts_with(b"%PDF-"),
        PPTX | KEYNOTE | ODP | ZIP => head.starts_with(b"PK\x03\x04"),
        PNG => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        JPEG => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        WEBP => head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP",
        SVG => {
            let text = String::from_utf8_lossy(head);
            let text = text.trim_start_matches('\u{feff}').trim_start();
            (text.starts_with("<?xml") || text.starts_with("<svg")) && text.contains("<svg")
        }
        _ => false,
    }
}

/// A file name reduced to what is safe in an object key and a download header: ASCII
/// letters, digits, `.`, `-` and `_` (anything else becomes `-`), at most 100 characters.
pub fn safe_name(file_name: &str) -> String {
    let mut out = String::with_capacity(file_name.len());
    for c in file_name.chars() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let c = if keep { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed: String = out
        .trim_matches(|c| c == '-' || c == '.')
        .chars()
        .take(100)
        .collect();
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed
    }
}

/// The object key of a file: `<content type>/<owner kind>/<owner id>/<file id>/<safe name>`.
pub fn object_key(
    content_type: ContentType,
    owner_kind: OwnerKind,
    owner_id: Uuid,
    file_id: Uuid,
    file_name: &str,
) -> String {
    format!(
        "{}/{}/{owner_id}/{file_id}/{}",
        enum_name(&content_type),
        enum_name(&owner_kind),
        safe_name(file_name)
    )
}

/// What the confirmation found in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub size_bytes: i64,
    /// SHA-256 of the object, lowercase hex.
    pub sha256: String,
    /// The object's first bytes (for the type check).
    pub head: Vec<u8>,
    /// The virus scanner's verdict: the signature found, if any.
    pub infection: Option<String>,
}

/// What was declared for the upload.
#[derive(Debug, Clone, Copy)]
pub struct Declared<'a> {
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub mime_type: &'a str,
}

/// How a confirmed upload ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Failed(String),
    VirusDetected(String),
}

/// Decides a confirmation: an infection wins over everything; then size, checksum and type
/// must all match what was declared.
pub fn decide(declared: Declared<'_>, observed: &Observed) -> Outcome {
    if let Some(signature) = &observed.infection {
        return Outcome::VirusDetected(signature.clone());
    }
    if observed.size_bytes != declared.size_bytes {
        return Outcome::Failed(format!(
            "the object has {} bytes, {} were declared",
            observed.size_bytes, declared.size_bytes
        ));
    }
    if !observed.sha256.eq_ignore_ascii_case(declared.sha256) {
        return Outcome::Failed("the object's SHA-256 differs from the declared checksum".into());
    }
    if !magic_matches(declared.mime_type, &observed.head) {
        return Outcome::Failed(format!(
            "the object's content is not {}",
            declared.mime_type
        ));
    }
    Outcome::Completed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(size: i64, sha: &str, head: &[u8]) -> Observed {
        Observed {
            size_bytes: size,
            sha256: sha.into(),
            head: head.to_vec(),
            infection: None,
        }
    }

    const DECLARED: Declared<'static> = Declared {
        size_bytes: 10,
        sha256: "ab",
        mime_type: PDF,
    };

    #[test]
    fn a_file_matching_its_declaration_completes() {
        assert_eq!(
            decide(DECLARED, &observed(10, "AB", b"%PDF-1.7")),
            Outcome::Completed
        );
    }

    #[test]
    fn size_checksum_and_type_are_each_checked() {
        assert!(
            matches!(decide(DECLARED, &observed(11, "ab", b"%PDF-")), Outcome::Failed(r) if r.contains("11 bytes"))
        );
        assert!(
            matches!(decide(DECLARED, &observed(10, "cd", b"%PDF-")), Outcome::Failed(r) if r.contains("SHA-256"))
        );
        assert!(
            matches!(decide(DECLARED, &observed(10, "ab", b"\x89PNG")), Outcome::Failed(r) if r.contains("not application/pdf"))
        );
    }

    #[test]
    fn an_infection_wins_over_every_other_finding() {
        let mut infected = observed(3, "zz", b"X5O");
        infected.infection = Some("Eicar-Test-Signature".into());
        assert_eq!(
            decide(DECLARED, &infected),
            Outcome::VirusDetected("Eicar-Test-Signature".into())
        );
    }

    #[test]
    fn magic_bytes_of_each_family() {
        assert!(magic_matches(PNG, b"\x89PNG\r\n\x1a\nrest"));
        assert!(magic_matches(JPEG, &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(magic_matches(WEBP, b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(magic_matches(PPTX, b"PK\x03\x04"));
        assert!(magic_matches(
            SVG,
            b"<?xml version=\"1.0\"?><svg xmlns=\"\"/>"
        ));
        assert!(!magic_matches(SVG, b"<html><svg/>"));
        assert!(!magic_matches(PNG, b"GIF89a"));
        assert!(!magic_matches("text/html", b"<html>"));
    }

    #[test]
    fn names_are_made_safe_for_keys_and_headers() {
        assert_eq!(
            safe_name("Keynote 2026 (final).pdf"),
            "Keynote-2026-final-.pdf"
        );
        assert_eq!(safe_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_name("日本.pdf"), "pdf");
        assert_eq!(safe_name("///"), "file");
        assert_eq!(safe_name(&"a".repeat(300)).len(), 100);
    }

    #[test]
    fn every_type_has_a_size_a_type_list_and_an_owner() {
        for t in [
            ContentType::Presentation,
            ContentType::Logo,
            ContentType::SpeakerPhoto,
            ContentType::SpeakerCv,
            ContentType::EventPhoto,
            ContentType::ArchiveMaterial,
        ] {
            assert!(max_size(t) > 0);
            assert!(!allowed_mime_types(t).is_empty());
            assert!(!owner_kinds(t).is_empty());
        }
    }
}
