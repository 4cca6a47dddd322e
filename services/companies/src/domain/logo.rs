//! The companies side of the content saga: which uploaded file is a company's logo, and
//! whether it is shown. The newest upload of a company is its logo, so an older upload that
//! arrives late is kept on record but never replaces a newer one; a deleted current logo
//! leaves the company without one.

use chrono::{DateTime, Utc};
use shared_domain::contracts::content::{ContentType, OwnerKind};
use shared_domain::contracts::Known;
use uuid::Uuid;

/// Whether a file the content context announces is a company's logo.
pub fn is_company_logo(content_type: &Known<ContentType>, owner_kind: &Known<OwnerKind>) -> bool {
    content_type.get() == Some(ContentType::Logo) && owner_kind.get() == Some(OwnerKind::Company)
}

/// When and which file was uploaded: the order in which logos follow each other. Two uploads
/// of the same instant are ordered by file id, so every consumer picks the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UploadStamp {
    pub uploaded_at: DateTime<Utc>,
    pub file_id: Uuid,
}

/// The address a logo is shown at: the upload's public address, when it has one.
pub fn public_address(public_url: Option<&str>) -> Option<&str> {
    public_url.map(str::trim).filter(|url| !url.is_empty())
}

/// What becomes of a company logo upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoUpload {
    /// It is the company's logo now; the current one retires.
    BecomesCurrent,
    /// A newer upload of the company was recorded before it arrived: it stays on record only.
    Superseded,
}

/// Decides an upload stamped `upload` against the newest upload recorded for the company
/// before it (current or not).
pub fn decide_upload(upload: UploadStamp, newest_recorded: Option<UploadStamp>) -> LogoUpload {
    match newest_recorded {
        Some(newest) if newest > upload => LogoUpload::Superseded,
        _ => LogoUpload::BecomesCurrent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn stamp(minutes: i64, file_id: Uuid) -> UploadStamp {
        UploadStamp {
            uploaded_at: DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minutes),
            file_id,
        }
    }

    #[test]
    fn only_logos_of_companies_are_company_logos() {
        let logo = Known::from(ContentType::Logo);
        let company = Known::from(OwnerKind::Company);
        assert!(is_company_logo(&logo, &company));
        assert!(!is_company_logo(&logo, &Known::from(OwnerKind::Speaker)));
        assert!(!is_company_logo(
            &Known::from(ContentType::SpeakerPhoto),
            &company
        ));
        assert!(!is_company_logo(&Known::Unknown("banner".into()), &company));
    }

    #[test]
    fn the_first_upload_becomes_the_logo() {
        let decision = decide_upload(stamp(1, Uuid::now_v7()), None);
        assert_eq!(decision, LogoUpload::BecomesCurrent);
    }

    #[test]
    fn a_newer_upload_replaces_the_logo() {
        let older = stamp(1, Uuid::now_v7());
        let decision = decide_upload(stamp(2, Uuid::now_v7()), Some(older));
        assert_eq!(decision, LogoUpload::BecomesCurrent);
    }

    #[test]
    fn an_older_upload_arriving_late_is_superseded() {
        let newer = stamp(5, Uuid::now_v7());
        let decision = decide_upload(stamp(2, Uuid::now_v7()), Some(newer));
        assert_eq!(decision, LogoUpload::Superseded);
    }

    #[test]
    fn uploads_of_the_same_instant_are_ordered_by_file_id() {
        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            decide_upload(stamp(3, first), Some(stamp(3, second))),
            LogoUpload::Superseded
        );
        assert_eq!(
            decide_upload(stamp(3, second), Some(stamp(3, first))),
            LogoUpload::BecomesCurrent
        );
    }

    #[test]
    fn an_upload_without_a_public_address_cannot_be_shown() {
        assert_eq!(public_address(None), None);
        assert_eq!(public_address(Some("  ")), None);
        assert_eq!(
            public_address(Some(" https://cdn.batbern.ch/logos/acme.png ")),
            Some("https://cdn.batbern.ch/logos/acme.png")
        );
    }
}
