//! What the content context announces (from the handlers, the consumer and the sweeper):
//! a file that passed its checks, a file gone, a session's materials, a quota warning.

use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::ApiError;
use shared_domain::contracts::content::{
    ContentDeleted, ContentUploaded, DeletionReason, PublishedMaterial, PublishedPresentation,
    SessionMaterialsChanged, StorageQuotaWarning,
};
use shared_domain::contracts::Known;
use shared_domain::names::enum_name;
use sqlx::PgConnection;

use crate::domain::quota::percentage;
use crate::store::files::FileRecord;
use crate::store::materials::{self, MaterialsRecord};
use crate::store::quotas::QuotaRecord;

/// The public address of the object under `key`.
pub fn public_url(base: &str, key: &str) -> String {
    format!("{base}/{key}")
}

/// Announces a completed file.
pub async fn uploaded(
    conn: &mut PgConnection,
    f: &FileRecord,
    public_url: Option<&str>,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let event = ContentUploaded {
        file_id: f.id,
        content_type: Known::from(*f.content_type),
        owner_kind: Known::from(*f.owner_kind),
        owner_id: f.owner_id,
        file_name: f.original_filename.clone(),
        mime_type: f.mime_type.clone(),
        size_bytes: f.file_size_bytes,
        checksum: f.checksum.clone(),
        s3_key: f.s3_key.clone(),
        public_url: public_url.map(str::to_owned),
        uploaded_by: f.uploaded_by.clone(),
        uploaded_at: now,
    };
    enqueue(conn, &event, context).await?;
    Ok(())
}

/// Announces a file gone.
pub async fn deleted(
    conn: &mut PgConnection,
    f: &FileRecord,
    reason: DeletionReason,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let event = ContentDeleted {
        file_id: f.id,
        content_type: Known::from(*f.content_type),
        owner_kind: Known::from(*f.owner_kind),
        owner_id: f.owner_id,
        reason: Known::from(reason),
        deleted_at: now,
    };
    enqueue(conn, &event, context).await?;
    Ok(())
}

/// Announces a quota's crossing of the warning threshold.
pub async fn quota_warning(
    conn: &mut PgConnection,
    q: &QuotaRecord,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let event = StorageQuotaWarning {
        quota_id: q.id,
        user_id: q.user_id.clone(),
        speaker_id: q.speaker_id,
        company_id: q.company_id,
        attendee_id: q.attendee_id,
        usage_bytes: q.current_usage_bytes,
        limit_bytes: q.quota_limit_bytes,
        percentage_used: percentage(q.current_usage_bytes, q.quota_limit_bytes),
        warned_at: now,
    };
    enqueue(conn, &event, context).await?;
    Ok(())
}

/// Announces a session's materials as the published agenda shows them (nothing until
/// organizers published them).
pub async fn materials(
    conn: &mut PgConnection,
    m: &MaterialsRecord,
    base: &str,
    context: &EventContext,
) -> Result<(), ApiError> {
    let published = m.materials_published_at.is_some();
    let (presentations, supplementary, photo_urls) = if published {
        let presentations = materials::presentations(&mut *conn, m.session_id)
            .await?
            .into_iter()
            .map(|p| PublishedPresentation {
                file_id: p.file_id,
                title: p.title,
                is_primary: p.is_primary,
                url: public_url(base, &p.s3_key),
                mime_type: p.mime_type,
                size_bytes: p.file_size_bytes,
            })
            .collect();
        let supplementary = materials::supplementary(&mut *conn, m.session_id)
            .await?
            .into_iter()
            .filter_map(|s| {
                let url = s.url.or_else(|| s.s3_key.map(|k| public_url(base, &k)))?;
                Some(PublishedMaterial {
                    title: s.title,
                    material_type: enum_name(&*s.material_type),
                    url,
                })
            })
            .collect();
        let photos = materials::photo_keys(&mut *conn, &m.photo_file_ids)
            .await?
            .iter()
            .map(|k| public_url(base, k))
            .collect();
        (presentations, supplementary, photos)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let event = SessionMaterialsChanged {
        session_id: m.session_id,
        event_id: m.event_id,
        published_at: m.materials_published_at,
        presentations,
        supplementary,
        recording_url: m.recording_url.clone().filter(|_| published),
        photo_urls,
        version: m.version,
        changed_at: m.updated_at,
    };
    enqueue(conn, &event, context).await?;
    Ok(())
}
