//! Request and response bodies of files, quotas and session materials (camelCase JSON,
//! unknown request fields refused so typos do not pass silently).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::contracts::content::{ContentType, OwnerKind};
use utoipa::ToSchema;
use uuid::Uuid;

use super::owners::Sight;
use crate::domain::materials::MaterialType;
use crate::domain::quota::{percentage, WARNING_PERCENT};
use crate::domain::status::UploadStatus;
use crate::store::files::FileRecord;
use crate::store::quotas::QuotaRecord;

/// Body of `POST /api/v1/files`: what the client is about to upload (`FileUploadRequest`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadRequest {
    pub file_name: String,
    pub content_type: ContentType,
    pub file_size_bytes: i64,
    pub mime_type: String,
    /// SHA-256 of the file, 64 hex digits; the upload link binds it.
    pub checksum: String,
    /// Exactly one owner: a presentation's session, a logo's company, a speaker's photo or
    /// CV, an event's (or session's) photo or archive material.
    pub session_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub speaker_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    /// A presentation's title (the file name when absent) and description.
    pub title: Option<String>,
    pub description: Option<String>,
    /// A presentation meant to be its session's primary one.
    #[serde(default)]
    pub is_primary: bool,
}

/// Answer of `POST /api/v1/files` (`PresignedUploadUrl`): PUT the file's bytes to
/// `uploadUrl` with exactly `requiredHeaders`, then confirm.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadLink {
    pub file_id: Uuid,
    pub upload_url: String,
    /// Seconds the link stays valid.
    pub expires_in: u64,
    pub required_headers: BTreeMap<String, String>,
    pub file: FileResponse,
}

/// Body of `POST /api/v1/files/{id}/confirm` (`FileUploadConfirmation`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The SHA-256 the client uploaded, 64 hex digits.
    pub checksum: String,
}

/// A file (`ContentMetadata`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileResponse {
    pub file_id: Uuid,
    pub file_name: String,
    pub content_type: ContentType,
    pub mime_type: String,
    pub file_size_bytes: i64,
    pub checksum: String,
    pub upload_status: UploadStatus,
    /// Why an upload failed (or which virus was found).
    pub failure_reason: Option<String>,
    pub owner_kind: OwnerKind,
    pub owner_id: Uuid,
    /// Who uploaded the file: shown to its uploader and to those who manage its owner only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<String>,
    pub uploaded_at: Option<DateTime<Utc>>,
    /// The public address of logos and photos (under the configured public base).
    pub public_url: Option<String>,
    pub download_count: i32,
    pub last_accessed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<FileRecord> for FileResponse {
    fn from(f: FileRecord) -> Self {
        Self {
            file_id: f.id,
            file_name: f.original_filename,
            content_type: *f.content_type,
            mime_type: f.mime_type,
            file_size_bytes: f.file_size_bytes,
            checksum: f.checksum,
            upload_status: *f.upload_status,
            failure_reason: f.failure_reason,
            owner_kind: *f.owner_kind,
            owner_id: f.owner_id,
            uploaded_by: Some(f.uploaded_by),
            uploaded_at: f.uploaded_at,
            public_url: f.public_url,
            download_count: f.download_count,
            last_accessed_at: f.last_accessed_at,
            created_at: f.created_at,
        }
    }
}

impl FileResponse {
    /// `f` as `sight` shows it: the public does not learn who uploaded it.
    pub fn seen(f: FileRecord, sight: Sight) -> Self {
        let mut file = Self::from(f);
        if sight == Sight::Public {
            file.uploaded_by = None;
        }
        file
    }
}

/// Answer of `GET /api/v1/files/{id}/download` (`PresignedDownloadUrl`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DownloadLink {
    pub download_url: String,
    pub file_name: String,
    pub file_size_bytes: i64,
    pub mime_type: String,
    /// Seconds the link stays valid.
    pub expires_in: u64,
}

/// A caller's storage quota (`StorageQuotaInfo`); organizers are unlimited (`-1`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuotaInfo {
    pub quota_limit_bytes: i64,
    pub current_usage_bytes: i64,
    /// Bytes of uploads whose link was issued and that are not yet confirmed.
    pub pending_bytes: i64,
    pub file_count: i32,
    pub percentage_used: f64,
    pub warning_threshold_percentage: i64,
    /// `-1` when unlimited.
    pub available_bytes: i64,
    pub quota_warning_issued: bool,
    pub quota_exceeded_at: Option<DateTime<Utc>>,
    /// The latest uploads and deletions, newest first.
    pub usage_log: Vec<UsageLogEntry>,
}

/// One upload or deletion counted against a quota (`StorageUsageLog`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageLogEntry {
    pub file_id: Uuid,
    /// `upload` or `delete`.
    pub action: String,
    pub file_size_bytes: i64,
    pub new_total_usage_bytes: i64,
    pub timestamp: DateTime<Utc>,
}

impl QuotaInfo {
    /// The quota of a limited caller (none yet: nothing used).
    pub fn limited(
        limit: i64,
        q: Option<&QuotaRecord>,
        pending: i64,
        log: Vec<UsageLogEntry>,
    ) -> Self {
        let usage = q.map_or(0, |q| q.current_usage_bytes);
        Self {
            quota_limit_bytes: limit,
            current_usage_bytes: usage,
            pending_bytes: pending,
            file_count: q.map_or(0, |q| q.file_count),
            percentage_used: percentage(usage, limit),
            warning_threshold_percentage: WARNING_PERCENT,
            available_bytes: (limit - usage - pending).max(0),
            quota_warning_issued: q.is_some_and(|q| q.quota_warning_issued),
            quota_exceeded_at: q.and_then(|q| q.quota_exceeded_at),
            usage_log: log,
        }
    }

    /// An organizer's (unlimited) quota.
    pub fn unlimited(pending: i64) -> Self {
        Self {
            quota_limit_bytes: -1,
            current_usage_bytes: 0,
            pending_bytes: pending,
            file_count: 0,
            percentage_used: 0.0,
            warning_threshold_percentage: WARNING_PERCENT,
            available_bytes: -1,
            quota_warning_issued: false,
            quota_exceeded_at: None,
            usage_log: Vec::new(),
        }
    }
}

/// A session's presentation (`PresentationFile`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresentationFile {
    pub file_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub is_primary: bool,
    /// Who uploaded it: shown to those who manage the session only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub download_count: i32,
    pub last_accessed_at: Option<DateTime<Utc>>,
    /// Its public address (it answers once the materials and the event are published).
    pub file_url: String,
    pub mime_type: String,
    pub file_size_bytes: i64,
}

/// A session's supplementary material (`SupplementaryMaterial`): a file or a link.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupplementaryMaterialResponse {
    pub id: Uuid,
    pub file_id: Option<Uuid>,
    pub url: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub material_type: MaterialType,
    /// Who added it: shown to those who manage the session only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub download_count: i32,
}

/// A session's materials (`SessionMaterials`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionMaterialsResponse {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub presentation_files: Vec<PresentationFile>,
    pub supplementary_materials: Vec<SupplementaryMaterialResponse>,
    pub recording_url: Option<String>,
    /// File ids of the gallery's photos.
    pub photos_gallery: Vec<Uuid>,
    pub photo_urls: Vec<String>,
    pub materials_published_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// Body of `PUT /api/v1/session-materials/{sessionId}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaterialsDetailsRequest {
    pub recording_url: Option<String>,
    /// Completed event photos of this session, in gallery order.
    #[serde(default)]
    pub photos_gallery: Vec<Uuid>,
}

/// Body of `POST /api/v1/session-materials/{sessionId}/supplementary`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupplementaryRequest {
    pub title: String,
    pub description: Option<String>,
    pub material_type: MaterialType,
    /// A completed file of this session, or
    pub file_id: Option<Uuid>,
    /// a link (exactly one of the two).
    pub url: Option<String>,
}

/// Body of `POST /api/v1/session-materials/{sessionId}/publication`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicationRequest {
    /// `true` publishes the materials, `false` withdraws them.
    pub published: bool,
}

/// Body of `PUT /api/v1/session-materials/{sessionId}/primary`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrimaryRequest {
    /// A presentation of this session.
    pub file_id: Uuid,
}
