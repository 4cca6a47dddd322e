//! Events published by the content context on `batbern.content.v1` (the content saga).
//!
//! A file's events are keyed by what the file belongs to (its owner: a company, a speaker, a
//! session or an event), so everything about one company's logo or one session's materials
//! arrives in order; a quota warning by the quota's id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{IntegrationEvent, Known};

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentType {
    Presentation,
    Logo,
    SpeakerPhoto,
    SpeakerCv,
    EventPhoto,
    ArchiveMaterial,
}

/// What a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    Session,
    Company,
    Speaker,
    Event,
}

/// Why a file went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeletionReason {
    /// Its uploader or an organizer deleted it.
    Deleted,
    /// A newer file of the same kind took its place (a logo, a profile photo).
    Replaced,
    /// The person it belonged to was erased.
    Erased,
}

/// A file passed every check (size, SHA-256, type, virus scan) and is available.
/// `public_url` is set for files that are public by nature (logos, speaker and event
/// photos): the address under the configured public base (a CDN in production).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentUploaded {
    pub file_id: Uuid,
    pub content_type: Known<ContentType>,
    pub owner_kind: Known<OwnerKind>,
    pub owner_id: Uuid,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the stored object, lowercase hex.
    pub checksum: String,
    pub s3_key: String,
    pub public_url: Option<String>,
    /// The uploader's subject (the token's `sub`).
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// A file was deleted (or replaced, or erased with its owner): every reference to it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentDeleted {
    pub file_id: Uuid,
    pub content_type: Known<ContentType>,
    pub owner_kind: Known<OwnerKind>,
    pub owner_id: Uuid,
    pub reason: Known<DeletionReason>,
    pub deleted_at: DateTime<Utc>,
}

/// A download link for a file was issued (counted once per downloader and hour). For a
/// session's material, the session and its event are named; for an attendee or a partner
/// integration, who downloaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentDownloaded {
    pub file_id: Uuid,
    pub content_type: Known<ContentType>,
    pub owner_kind: Known<OwnerKind>,
    pub owner_id: Uuid,
    pub session_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub attendee_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub downloaded_at: DateTime<Utc>,
}

/// A person's storage use crossed the warning threshold (80 % of their quota); announced
/// once per crossing. The person is named by the ids their token carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageQuotaWarning {
    pub quota_id: Uuid,
    pub user_id: String,
    pub speaker_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub attendee_id: Option<Uuid>,
    pub usage_bytes: i64,
    pub limit_bytes: i64,
    pub percentage_used: f64,
    pub warned_at: DateTime<Utc>,
}

/// A presentation file of a session as the published agenda shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishedPresentation {
    pub file_id: Uuid,
    pub title: String,
    pub is_primary: bool,
    pub url: String,
    pub mime_type: String,
    pub size_bytes: i64,
}

/// A supplementary material of a session as the published agenda shows it (a link, or a
/// file's public address).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishedMaterial {
    pub title: String,
    pub material_type: String,
    pub url: String,
}

/// A session's materials changed. `published_at` is set once organizers published them;
/// until then the lists are empty (nothing unpublished leaves the content context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionMaterialsChanged {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub published_at: Option<DateTime<Utc>>,
    pub presentations: Vec<PublishedPresentation>,
    pub supplementary: Vec<PublishedMaterial>,
    pub recording_url: Option<String>,
    pub photo_urls: Vec<String>,
    pub version: i64,
    pub changed_at: DateTime<Utc>,
}

macro_rules! content_event {
    ($ty:ty, $name:literal, $aggregate:literal, |$e:ident| $id:expr) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "content";
            const AGGREGATE_TYPE: &'static str = $aggregate;
            fn aggregate_id(&self) -> Uuid {
                let $e = self;
                $id
            }
        }
    };
}

content_event!(ContentUploaded, "content.file.uploaded.v1", "owner", |e| e
    .owner_id);
content_event!(ContentDeleted, "content.file.deleted.v1", "owner", |e| e
    .owner_id);
content_event!(
    ContentDownloaded,
    "content.file.downloaded.v1",
    "owner",
    |e| e.owner_id
);
content_event!(
    StorageQuotaWarning,
    "content.quota.warning.v1",
    "storage_quota",
    |e| e.quota_id
);
content_event!(
    SessionMaterialsChanged,
    "content.session_materials.changed.v1",
    "session",
    |e| e.session_id
);
