//! Handlers of `/api/v1/files`: declare an upload (quota checked, presigned PUT answered),
//! confirm it (the object checked and scanned), read, delete and download a file.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::problem::{Problem, ProblemKind};
use service_kit::rate_limit::address_of;
use service_kit::{Actor, ApiError, Json, Path, RequestContext};
use shared_domain::contracts::content::{ContentDownloaded, DeletionReason, OwnerKind};
use shared_domain::contracts::Known;
use shared_domain::Parse;
use uuid::Uuid;

use super::dto::{ConfirmRequest, DownloadLink, FileResponse, UploadLink, UploadRequest};
use super::owners::Sight;
use super::{owners, uploader, AppState};
use crate::domain::file::{decide, is_public, object_key, Declared, Observed, Outcome};
use crate::domain::intent::{OwnerIds, UploadIntent};
use crate::domain::quota::{check, QuotaExceeded, QuotaRole};
use crate::domain::{access::Uploader, download_hour};
use crate::lifecycle::{self, PublicBase};
use crate::store::files::{self, FileRecord, NewFile};
use crate::store::quotas::{self, Holder};
use crate::store::read_models;

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found(format!("no file {id}"))
}

fn quota_exceeded(e: QuotaExceeded) -> ApiError {
    let detail = format!(
        "the storage quota of {} bytes holds {} bytes and {} bytes being uploaded; {} more do not fit",
        e.limit_bytes, e.usage_bytes, e.pending_bytes, e.requested_bytes
    );
    ApiError::new(ProblemKind::PayloadTooLarge, detail)
        .with("quotaLimitBytes", e.limit_bytes)
        .with("currentUsageBytes", e.usage_bytes)
        .with("pendingBytes", e.pending_bytes)
        .with("requestedBytes", e.requested_bytes)
}

/// The file `id` and how `actor` sees it, if they may (404 otherwise: others learn nothing).
async fn visible(
    state: &AppState,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<(FileRecord, Sight), ApiError> {
    let f = files::fetch(&state.pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let subject = actor.map(|a| a.subject.as_str());
    match owners::sight(state, uploader(actor), subject, &f).await? {
        Some(sight) => Ok((f, sight)),
        None => Err(not_found(id)),
    }
}

/// Declares an upload: checks the declaration, the owner and the quota, and answers a
/// presigned PUT that binds length, type and SHA-256.
#[utoipa::path(post, path = "/api/v1/files", tag = "files", request_body = UploadRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = UploadLink), (status = 403, body = Problem),
        (status = 413, description = "The caller's storage quota cannot take the file", body = Problem),
        (status = 422, description = "A field is invalid or the owner unknown", body = Problem)),
    security(("bearer" = [])))]
pub async fn request_upload(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Json(request): Json<UploadRequest>,
) -> Result<Response, ApiError> {
    let who = uploader(Some(&actor));
    let intent = intent_of(&request)
        .into_valid()
        .map_err(ApiError::validation)?;
    let owner = intent.owner();
    if !owners::may_manage(&state, who, owner.0, owner.1).await? {
        return Err(ApiError::forbidden("the caller may not put files there"));
    }
    owners::require_known(&state, owner.0, owner.1).await?;
    let role = who
        .quota_role()
        .ok_or_else(|| ApiError::forbidden("no uploads for this caller"))?;
    let mut tx = state.pool.begin().await?;
    let fingerprint = idempotency::fingerprint(&request);
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    let quota_id = reserve(&mut tx, &state, &actor, role, intent.size_bytes, now).await?;
    let s3_key = object_key(intent.content_type, owner.0, owner.1, id, &intent.file_name);
    let expiry = state.settings.upload_expiry;
    let metadata = serde_json::json!({
        "title": intent.title, "description": intent.description, "isPrimary": intent.is_primary,
    });
    let new = NewFile {
        id,
        bucket: state.store.bucket(),
        s3_key: &s3_key,
        file_name: &intent.file_name,
        size_bytes: intent.size_bytes,
        mime_type: &intent.mime_type,
        checksum: &intent.checksum,
        content_type: intent.content_type,
        owner,
        uploaded_by: &actor.subject,
        uploader_role: &shared_domain::names::enum_name(&role),
        quota_id,
        expires_at: now + expiry,
        metadata,
    };
    files::insert(&mut tx, &new, now).await?;
    let link = state
        .store
        .presign_upload(
            &s3_key,
            intent.size_bytes,
            &intent.mime_type,
            &intent.checksum,
            expiry,
        )
        .await?;
    let file = files::fetch(&mut *tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let body = UploadLink {
        file_id: id,
        upload_url: link.url,
        expires_in: expiry.as_secs(),
        required_headers: link.headers.into_iter().collect::<BTreeMap<_, _>>(),
        file: FileResponse::from(file),
    };
    let answer = idempotency::created(format!("/api/v1/files/{id}"), None, &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// The quota the upload counts against (none for organizers), locked, with room for `size`
/// more bytes beside what is stored and still being uploaded (413 otherwise).
async fn reserve(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    actor: &Actor,
    role: QuotaRole,
    size: i64,
    now: chrono::DateTime<Utc>,
) -> Result<Option<Uuid>, ApiError> {
    let Some(limit) = state.settings.quotas.limit_for(role) else {
        return Ok(None);
    };
    let holder = Holder {
        user_id: &actor.subject,
        role,
        limit,
        speaker_id: actor.speaker_id,
        company_id: actor.company_id,
        attendee_id: actor.attendee_id,
    };
    let quota = quotas::lock_for(tx, &holder, now).await?;
    let pending = files::pending_bytes(tx, &actor.subject, now).await?;
    check(limit, quota.current_usage_bytes, pending, size).map_err(quota_exceeded)?;
    Ok(Some(quota.id))
}

fn intent_of(r: &UploadRequest) -> UploadIntent {
    UploadIntent {
        file_name: r.file_name.clone(),
        content_type: r.content_type,
        size_bytes: r.file_size_bytes,
        mime_type: r.mime_type.clone(),
        checksum: r.checksum.clone(),
        owners: OwnerIds {
            session_id: r.session_id,
            company_id: r.company_id,
            speaker_id: r.speaker_id,
            event_id: r.event_id,
        },
        owner: None,
        title: r.title.clone(),
        description: r.description.clone(),
        is_primary: r.is_primary,
    }
}

/// Confirms an upload: reads the object back, checks size, SHA-256 and type, scans it, and
/// decides `completed`, `failed` or `virus_detected` (the object then deleted). Confirming
/// a decided upload answers the decision again.
#[utoipa::path(post, path = "/api/v1/files/{id}/confirm", tag = "files", request_body = ConfirmRequest,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = FileResponse), (status = 404, body = Problem),
        (status = 409, description = "Nothing was uploaded yet", body = Problem),
        (status = 422, body = Problem),
        (status = 503, description = "The store or the scanner is unavailable; repeat", body = Problem)),
    security(("bearer" = [])))]
pub async fn confirm_upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<ConfirmRequest>, ApiError>,
) -> Result<Json<FileResponse>, ApiError> {
    let f = files::fetch(&state.pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if f.uploaded_by != actor.subject && uploader(Some(&actor)) != Uploader::Organizer {
        return Err(not_found(id));
    }
    let Json(request) = body?;
    if f.upload_status.is_decided() {
        return Ok(Json(FileResponse::from(f)));
    }
    let confirmed = request.checksum.trim().to_ascii_lowercase();
    if confirmed.len() != 64 || !confirmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::invalid_field(
            "checksum",
            "must be a SHA-256 as 64 hex digits",
        ));
    }
    let outcome = if confirmed != f.checksum {
        Outcome::Failed("the confirmed checksum differs from the declared one".into())
    } else {
        inspect(&state, &f).await?
    };
    let now = Utc::now();
    let mut tx = state.pool.begin().await?;
    let f = files::lock(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !f.upload_status.is_decided() {
        let base = PublicBase(&state.settings.public_base_url);
        lifecycle::decide(&mut tx, &f, &outcome, base, now, &context).await?;
    }
    tx.commit().await?;
    if outcome != Outcome::Completed {
        remove_object(&state, &f).await;
    }
    let decided = files::fetch(&state.pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(FileResponse::from(decided)))
}

/// Reads the object of `f` back and decides what it is.
async fn inspect(state: &AppState, f: &FileRecord) -> Result<Outcome, ApiError> {
    // Only a pending file becomes `uploading`: a confirmation decided meanwhile stays so.
    let mut conn = state.pool.acquire().await?;
    files::mark_uploading(&mut conn, f.id, Utc::now()).await?;
    drop(conn);
    let Some(found) = state.store.inspect(&f.s3_key, &state.scanner).await? else {
        return Err(ApiError::conflict(
            "nothing was uploaded for this file yet; PUT it to the upload link first",
        ));
    };
    let observed = Observed {
        size_bytes: found.size_bytes,
        sha256: found.sha256,
        head: found.head,
        infection: found.infection,
    };
    let declared = Declared {
        size_bytes: f.file_size_bytes,
        sha256: &f.checksum,
        mime_type: &f.mime_type,
    };
    Ok(decide(declared, &observed))
}

/// Deletes the object of a rejected or deleted file now; the sweeper retries if the store
/// does not answer.
async fn remove_object(state: &AppState, f: &FileRecord) {
    if state.store.delete(&f.s3_key).await.is_ok() {
        if let Ok(mut conn) = state.pool.acquire().await {
            let _ = files::object_removed(&mut conn, f.id, Utc::now()).await;
        }
    }
}

/// A file, for its uploader, whoever manages its owner, and everybody for public files
/// (who uploaded it is shown only to the first two).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", params(("id" = Uuid, Path)),
    responses((status = 200, body = FileResponse), (status = 404, body = Problem)),
    security((), ("bearer" = [])))]
pub async fn get_file(
    State(state): State<AppState>,
    actor: Option<Actor>,
    Path(id): Path<Uuid>,
) -> Result<Json<FileResponse>, ApiError> {
    let (f, sight) = visible(&state, actor.as_ref(), id).await?;
    Ok(Json(FileResponse::seen(f, sight)))
}

/// Deletes a file (its uploader, whoever manages its owner): every reference to it goes,
/// the quota is credited, the object leaves the store.
#[utoipa::path(delete, path = "/api/v1/files/{id}", tag = "files", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete_file(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<StatusCode, ApiError> {
    let f = files::fetch(&state.pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let who = uploader(Some(&actor));
    if f.uploaded_by != actor.subject
        && !owners::may_manage(&state, who, *f.owner_kind, f.owner_id).await?
    {
        return Err(not_found(id));
    }
    let now = Utc::now();
    let mut tx = state.pool.begin().await?;
    let f = files::lock(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    use crate::domain::status::UploadStatus::*;
    match *f.upload_status {
        Completed | Pending | Uploading => {
            let base = PublicBase(&state.settings.public_base_url);
            lifecycle::delete(&mut tx, &f, DeletionReason::Deleted, base, now, &context).await?;
        }
        Deleted => {}
        _ => {
            return Err(ApiError::conflict(format!(
                "file {id} was never stored; nothing to delete"
            )))
        }
    }
    tx.commit().await?;
    remove_object(&state, &f).await;
    Ok(StatusCode::NO_CONTENT)
}

/// A short-lived download link, counted once per downloader and hour. Without a token:
/// public files and published materials of a published event only.
#[utoipa::path(get, path = "/api/v1/files/{id}/download", tag = "files", params(("id" = Uuid, Path)),
    responses((status = 200, body = DownloadLink), (status = 404, body = Problem)),
    security((), ("bearer" = [])))]
pub async fn download_file(
    State(state): State<AppState>,
    actor: Option<Actor>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    let (f, _) = visible(&state, actor.as_ref(), id).await?;
    if *f.upload_status != crate::domain::status::UploadStatus::Completed {
        return Err(ApiError::conflict(format!(
            "file {id} is not available for download"
        )));
    }
    let downloader = match &actor {
        Some(a) => a.subject.clone(),
        None => format!("address:{}", address_of(&headers)),
    };
    count(&state, &f, actor.as_ref(), &downloader, &context).await?;
    let expiry = state.settings.download_expiry;
    let inline = is_public(*f.content_type);
    let url = state
        .store
        .presign_download(
            &f.s3_key,
            &crate::domain::file::safe_name(&f.original_filename),
            &f.mime_type,
            inline,
            expiry,
        )
        .await?;
    let body = DownloadLink {
        download_url: url,
        file_name: f.original_filename,
        file_size_bytes: f.file_size_bytes,
        mime_type: f.mime_type,
        expires_in: expiry.as_secs(),
    };
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

/// Counts a download (once per downloader and hour) and announces it.
pub async fn count(
    state: &AppState,
    f: &FileRecord,
    actor: Option<&Actor>,
    downloader: &str,
    context: &event_bus::EventContext,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let mut tx = state.pool.begin().await?;
    if files::count_download(&mut tx, f.id, downloader, download_hour(now), now).await? {
        let session = match *f.owner_kind {
            OwnerKind::Session => read_models::session(&mut *tx, f.owner_id).await?,
            _ => None,
        };
        let event_id = session
            .map(|s| s.event_id)
            .or((*f.owner_kind == OwnerKind::Event).then_some(f.owner_id));
        let downloaded = ContentDownloaded {
            file_id: f.id,
            content_type: Known::from(*f.content_type),
            owner_kind: Known::from(*f.owner_kind),
            owner_id: f.owner_id,
            session_id: session.map(|s| s.session_id),
            event_id,
            attendee_id: actor.and_then(|a| a.attendee_id),
            company_id: actor.and_then(|a| a.company_id),
            downloaded_at: now,
        };
        enqueue(&mut tx, &downloaded, context).await?;
    }
    tx.commit().await?;
    Ok(())
}
