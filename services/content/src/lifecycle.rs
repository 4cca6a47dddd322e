//! A file's decisive moves, shared by the handlers, the consumer and the sweeper: a
//! confirmation's outcome (completing counts the quota, replaces an older logo or photo,
//! attaches a presentation) and a deletion (the quota, the session's materials, the
//! announcement; the object leaves the store after the commit or by the sweeper).

use chrono::{DateTime, Utc};
use event_bus::EventContext;
use service_kit::ApiError;
use shared_domain::contracts::content::{ContentType, DeletionReason, OwnerKind};
use sqlx::PgConnection;

use crate::announce;
use crate::domain::file::{is_public, replaces_previous, Outcome};
use crate::domain::quota::above_warning;
use crate::domain::status::UploadStatus;
use crate::store::files::{self, FileRecord};
use crate::store::materials::{self, NewPresentation};
use crate::store::{quotas, read_models};

/// Where public file addresses begin (the configured public base).
#[derive(Debug, Clone, Copy)]
pub struct PublicBase<'a>(pub &'a str);

/// Applies a confirmation's `outcome` to the locked, undecided file `f`.
pub async fn decide(
    conn: &mut PgConnection,
    f: &FileRecord,
    outcome: &Outcome,
    base: PublicBase<'_>,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    match outcome {
        Outcome::Failed(reason) => {
            files::set_status(conn, f.id, UploadStatus::Failed, Some(reason), now).await?;
        }
        Outcome::VirusDetected(signature) => {
            let reason = format!("virus detected: {signature}");
            files::set_status(conn, f.id, UploadStatus::VirusDetected, Some(&reason), now).await?;
        }
        Outcome::Completed => complete(conn, f, base, now, context).await?,
    }
    Ok(())
}

async fn complete(
    conn: &mut PgConnection,
    f: &FileRecord,
    base: PublicBase<'_>,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let content_type = *f.content_type;
    let public = is_public(content_type).then(|| announce::public_url(base.0, &f.s3_key));
    files::complete(conn, f.id, public.as_deref(), now).await?;
    count_usage(conn, f, f.file_size_bytes, 1, now, context).await?;
    if replaces_previous(content_type) {
        let owner = (*f.owner_kind, f.owner_id);
        for old in files::lock_previous(conn, owner, content_type, f.id).await? {
            delete(conn, &old, DeletionReason::Replaced, base, now, context).await?;
        }
    }
    if content_type == ContentType::Presentation && *f.owner_kind == OwnerKind::Session {
        attach(conn, f, base, now, context).await?;
    }
    announce::uploaded(conn, f, public.as_deref(), now, context).await
}

/// Attaches a completed presentation to its session (the upload's title and primary wish).
async fn attach(
    conn: &mut PgConnection,
    f: &FileRecord,
    base: PublicBase<'_>,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let Some(session) = read_models::session(&mut *conn, f.owner_id).await? else {
        return Ok(());
    };
    materials::lock(conn, session.session_id, session.event_id, now).await?;
    let meta = &f.metadata.0;
    let title = meta["title"].as_str().unwrap_or(&f.original_filename);
    let presentation = NewPresentation {
        session_id: session.session_id,
        file_id: f.id,
        title,
        description: meta["description"].as_str(),
        is_primary: meta["isPrimary"].as_bool().unwrap_or(false),
        uploaded_by: &f.uploaded_by,
    };
    materials::attach_presentation(conn, &presentation, now).await?;
    let after = materials::touch(conn, session.session_id, now).await?;
    announce::materials(conn, &after, base.0, context).await
}

/// Deletes the completed (or still pending) file `f` for `reason`.
pub async fn delete(
    conn: &mut PgConnection,
    f: &FileRecord,
    reason: DeletionReason,
    base: PublicBase<'_>,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let was_completed = *f.upload_status == UploadStatus::Completed;
    let status = if was_completed {
        UploadStatus::Deleted
    } else {
        UploadStatus::Failed
    };
    let why = (!was_completed).then_some("withdrawn before it was confirmed");
    files::set_status(conn, f.id, status, why, now).await?;
    if !was_completed {
        return Ok(());
    }
    count_usage(conn, f, -f.file_size_bytes, -1, now, context).await?;
    if *f.owner_kind == OwnerKind::Session {
        if let Some(m) = materials::fetch(&mut *conn, f.owner_id).await? {
            materials::lock(conn, m.session_id, m.event_id, now).await?;
            if materials::forget_file(conn, m.session_id, f.id).await? {
                let after = materials::touch(conn, m.session_id, now).await?;
                announce::materials(conn, &after, base.0, context).await?;
            }
        }
    }
    announce::deleted(conn, f, reason, now, context).await
}

/// Adds `bytes` to the quota `f` counts against; warns once when the use crosses the
/// threshold, and re-arms the warning when it falls below.
async fn count_usage(
    conn: &mut PgConnection,
    f: &FileRecord,
    bytes: i64,
    count: i32,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let Some(quota) = (match f.quota_id {
        Some(id) => quotas::lock(conn, id).await?,
        None => None,
    }) else {
        return Ok(());
    };
    let usage = quota.current_usage_bytes.saturating_add(bytes).max(0);
    let above = above_warning(usage, quota.quota_limit_bytes);
    let warn = above && !quota.quota_warning_issued;
    let after = quotas::change_usage(conn, &quota, f.id, bytes, count, above, now).await?;
    if warn {
        announce::quota_warning(conn, &after, now, context).await?;
    }
    Ok(())
}
