//! The profile photo a speaker's uploads set: the newest upload wins (uploads may arrive
//! late or again), and deleting the shown file clears the photo. A photo set by hand on
//! the profile stays until an upload replaces it.

use chrono::{DateTime, Utc};
use shared_domain::Validator;
use uuid::Uuid;

/// The longest photo address a profile holds.
pub const MAX_URL: usize = 500;

/// An uploaded photo as the profile remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPhoto {
    pub file_id: Uuid,
    pub url: String,
    pub uploaded_at: DateTime<Utc>,
}

/// What a photo's upload or deletion does to the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoChange {
    /// The profile shows this upload.
    Show(UploadedPhoto),
    /// The shown upload is gone: the profile shows no photo.
    Clear,
    /// The remembered upload is gone, but the profile shows a photo set by hand: keep it.
    Forget,
    /// Nothing changes.
    Keep,
}

/// The change an upload makes when the profile remembers `current`: a newer upload is
/// shown; an older one, a redelivery or an address a profile cannot hold changes nothing.
pub fn on_upload(current: Option<&UploadedPhoto>, upload: UploadedPhoto) -> PhotoChange {
    let usable = Validator::new()
        .optional_url("profilePhotoUrl", Some(&upload.url), MAX_URL)
        .is_some_and(|url| url == upload.url);
    let newer = current.is_none_or(|c| upload.uploaded_at > c.uploaded_at);
    if usable && newer && current.is_none_or(|c| c.file_id != upload.file_id) {
        PhotoChange::Show(upload)
    } else {
        PhotoChange::Keep
    }
}

/// The change the deletion of file `file_id` makes when the profile remembers `current`
/// and shows `shown_url`.
pub fn on_deletion(
    current: Option<&UploadedPhoto>,
    shown_url: Option<&str>,
    file_id: Uuid,
) -> PhotoChange {
    match current {
        Some(c) if c.file_id == file_id && shown_url == Some(c.url.as_str()) => PhotoChange::Clear,
        Some(c) if c.file_id == file_id => PhotoChange::Forget,
        _ => PhotoChange::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn photo(minutes: i64, url: &str) -> UploadedPhoto {
        UploadedPhoto {
            file_id: Uuid::now_v7(),
            url: url.to_owned(),
            uploaded_at: Utc::now() + Duration::minutes(minutes),
        }
    }

    #[test]
    fn the_newest_upload_wins() {
        let shown = photo(0, "https://cdn.example/a.jpg");
        let newer = photo(5, "https://cdn.example/b.jpg");
        assert_eq!(
            on_upload(None, shown.clone()),
            PhotoChange::Show(shown.clone())
        );
        assert_eq!(
            on_upload(Some(&shown), newer.clone()),
            PhotoChange::Show(newer.clone())
        );
        let older = photo(-5, "https://cdn.example/c.jpg");
        assert_eq!(on_upload(Some(&newer), older), PhotoChange::Keep);
        assert_eq!(on_upload(Some(&newer), newer.clone()), PhotoChange::Keep);
    }

    #[test]
    fn an_address_a_profile_cannot_hold_is_not_shown() {
        assert_eq!(on_upload(None, photo(0, "/files/a.jpg")), PhotoChange::Keep);
        let long = format!("https://cdn.example/{}", "a".repeat(MAX_URL));
        assert_eq!(on_upload(None, photo(0, &long)), PhotoChange::Keep);
    }

    #[test]
    fn deleting_the_shown_upload_clears_the_photo_and_other_deletions_do_not() {
        let shown = photo(0, "https://cdn.example/a.jpg");
        let url = Some(shown.url.as_str());
        assert_eq!(
            on_deletion(Some(&shown), url, shown.file_id),
            PhotoChange::Clear
        );
        assert_eq!(
            on_deletion(Some(&shown), url, Uuid::now_v7()),
            PhotoChange::Keep
        );
        assert_eq!(on_deletion(None, url, shown.file_id), PhotoChange::Keep);
        assert_eq!(
            on_deletion(
                Some(&shown),
                Some("https://elsewhere/me.jpg"),
                shown.file_id
            ),
            PhotoChange::Forget,
            "a photo set by hand since stays"
        );
    }
}
