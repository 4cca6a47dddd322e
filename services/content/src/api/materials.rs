//! Handlers of `/api/v1/session-materials/{sessionId}`: a session's presentations (one
//! primary), supplementary materials, recording and gallery, and their publication.
//! Organizers and the session's speakers manage them; once published (and the event is
//! published) everybody sees them.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use event_bus::EventContext;
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, RequestContext};
use shared_domain::contracts::content::{ContentType, OwnerKind};
use shared_domain::Parse;
use sqlx::PgConnection;
use uuid::Uuid;

use super::dto::{
    MaterialsDetailsRequest, PresentationFile, PrimaryRequest, PublicationRequest,
    SessionMaterialsResponse, SupplementaryMaterialResponse, SupplementaryRequest,
};
use super::owners::{self, Sight};
use super::{uploader, AppState};
use crate::announce::{self, public_url};
use crate::domain::access::{materials_public, Uploader};
use crate::domain::materials::{Details, Supplementary};
use crate::domain::status::UploadStatus;
use crate::store::read_models::{self, KnownSession};
use crate::store::{files, materials};

/// The session if known (404 otherwise).
async fn known_session(state: &AppState, id: Uuid) -> Result<KnownSession, ApiError> {
    read_models::session(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no session {id}")))
}

/// The session if the caller manages its materials (403 otherwise).
async fn managed_session(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<KnownSession, ApiError> {
    let session = known_session(state, id).await?;
    if !owners::may_manage(state, uploader(Some(actor)), OwnerKind::Session, id).await? {
        return Err(ApiError::forbidden(
            "only organizers and the session's speakers manage its materials",
        ));
    }
    Ok(session)
}

/// The session's materials as the API shows them to `sight` (the public does not learn
/// who uploaded what).
async fn answer(
    state: &AppState,
    db: &mut PgConnection,
    session: KnownSession,
    sight: Sight,
) -> Result<SessionMaterialsResponse, ApiError> {
    let managing = sight == Sight::Managing;
    let base = &state.settings.public_base_url;
    let m = materials::fetch(&mut *db, session.session_id).await?;
    let presentations = materials::presentations(&mut *db, session.session_id).await?;
    let supplementary = materials::supplementary(&mut *db, session.session_id).await?;
    let photos = m
        .as_ref()
        .map(|m| m.photo_file_ids.clone())
        .unwrap_or_default();
    let photo_urls = materials::photo_keys(&mut *db, &photos)
        .await?
        .iter()
        .map(|k| public_url(base, k))
        .collect();
    Ok(SessionMaterialsResponse {
        session_id: session.session_id,
        event_id: session.event_id,
        presentation_files: presentations
            .into_iter()
            .map(|p| PresentationFile {
                file_id: p.file_id,
                title: p.title,
                description: p.description,
                is_primary: p.is_primary,
                uploaded_by: managing.then_some(p.uploaded_by),
                uploaded_at: p.uploaded_at,
                download_count: p.download_count,
                last_accessed_at: p.last_accessed_at,
                file_url: public_url(base, &p.s3_key),
                mime_type: p.mime_type,
                file_size_bytes: p.file_size_bytes,
            })
            .collect(),
        supplementary_materials: supplementary
            .into_iter()
            .map(|s| SupplementaryMaterialResponse {
                id: s.id,
                file_id: s.file_id,
                url: s.url.or_else(|| s.s3_key.map(|k| public_url(base, &k))),
                title: s.title,
                description: s.description,
                material_type: *s.material_type,
                uploaded_by: managing.then_some(s.uploaded_by),
                uploaded_at: s.uploaded_at,
                download_count: s.download_count.unwrap_or(0),
            })
            .collect(),
        recording_url: m.as_ref().and_then(|m| m.recording_url.clone()),
        photos_gallery: photos,
        photo_urls,
        materials_published_at: m.as_ref().and_then(|m| m.materials_published_at),
        version: m.map_or(0, |m| m.version),
    })
}

/// Counts the change and announces the session's materials.
async fn announce_change(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    session_id: Uuid,
    context: &EventContext,
) -> Result<(), ApiError> {
    let after = materials::touch(tx, session_id, Utc::now()).await?;
    announce::materials(tx, &after, &state.settings.public_base_url, context).await
}

/// A session's materials: organizers and its speakers always; everybody once the
/// materials and the event are published.
#[utoipa::path(get, path = "/api/v1/session-materials/{sessionId}", tag = "session-materials",
    params(("sessionId" = Uuid, Path)),
    responses((status = 200, body = SessionMaterialsResponse), (status = 404, body = Problem)),
    security((), ("bearer" = [])))]
pub async fn get_materials(
    State(state): State<AppState>,
    actor: Option<Actor>,
    Path(session_id): Path<Uuid>,
) -> Result<Json<SessionMaterialsResponse>, ApiError> {
    let session = known_session(&state, session_id).await?;
    let published = materials::fetch(&state.pool, session_id)
        .await?
        .is_some_and(|m| m.materials_published_at.is_some());
    let who = actor
        .as_ref()
        .map_or(Uploader::Anonymous, |a| uploader(Some(a)));
    let manages = owners::may_manage(&state, who, OwnerKind::Session, session_id).await?;
    if !manages && !materials_public(session.event_published, published) {
        return Err(ApiError::not_found(format!(
            "no published materials of session {session_id}"
        )));
    }
    let sight = if manages {
        Sight::Managing
    } else {
        Sight::Public
    };
    let mut db = state.pool.acquire().await?;
    Ok(Json(answer(&state, &mut db, session, sight).await?))
}

/// Sets the recording and the photo gallery (completed event photos of this session).
#[utoipa::path(put, path = "/api/v1/session-materials/{sessionId}", tag = "session-materials",
    params(("sessionId" = Uuid, Path)), request_body = MaterialsDetailsRequest,
    responses((status = 200, body = SessionMaterialsResponse), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_details(
    State(state): State<AppState>,
    actor: Actor,
    Path(session_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<MaterialsDetailsRequest>, ApiError>,
) -> Result<Json<SessionMaterialsResponse>, ApiError> {
    let session = managed_session(&state, &actor, session_id).await?;
    let Json(request) = body?;
    let details = Details {
        recording_url: request.recording_url,
        photo_file_ids: request.photos_gallery,
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    for (i, id) in details.photo_file_ids.iter().enumerate() {
        require_file(
            &state,
            *id,
            session_id,
            &[ContentType::EventPhoto],
            &format!("photosGallery[{i}]"),
        )
        .await?;
    }
    let mut tx = state.pool.begin().await?;
    materials::lock(&mut tx, session_id, session.event_id, Utc::now()).await?;
    materials::set_details(&mut tx, session_id, &details).await?;
    announce_change(&mut tx, &state, session_id, &context).await?;
    let body = answer(&state, &mut tx, session, Sight::Managing).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// 422 on `field` unless `id` is a completed file of one of `types` of the session.
async fn require_file(
    state: &AppState,
    id: Uuid,
    session_id: Uuid,
    types: &[ContentType],
    field: &str,
) -> Result<(), ApiError> {
    let fits = files::fetch(&state.pool, id).await?.is_some_and(|f| {
        *f.upload_status == UploadStatus::Completed
            && *f.owner_kind == OwnerKind::Session
            && f.owner_id == session_id
            && types.contains(&f.content_type)
    });
    if fits {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            field,
            format!("no completed file {id} of this session"),
        ))
    }
}

/// Adds a supplementary material: a completed file of the session, or a link.
#[utoipa::path(post, path = "/api/v1/session-materials/{sessionId}/supplementary", tag = "session-materials",
    params(("sessionId" = Uuid, Path)), request_body = SupplementaryRequest,
    responses((status = 201, body = SessionMaterialsResponse), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_supplementary(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(session_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<SupplementaryRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let session = managed_session(&state, &actor, session_id).await?;
    let Json(request) = body?;
    let fingerprint = idempotency::fingerprint(&(session_id, &request));
    let material = Supplementary {
        title: request.title,
        description: request.description,
        material_type: request.material_type,
        file_id: request.file_id,
        url: request.url,
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    if let Some(id) = material.file_id {
        let all = [
            ContentType::Presentation,
            ContentType::ArchiveMaterial,
            ContentType::EventPhoto,
        ];
        require_file(&state, id, session_id, &all, "fileId").await?;
    }
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    materials::lock(&mut tx, session_id, session.event_id, Utc::now()).await?;
    materials::add_supplementary(&mut tx, session_id, &material, &actor.subject, Utc::now())
        .await?;
    announce_change(&mut tx, &state, session_id, &context).await?;
    let body = answer(&state, &mut tx, session, Sight::Managing).await?;
    let saved = SavedResponse::json(StatusCode::CREATED, HeaderMap::new(), &body);
    let response = once.finish(&mut tx, saved).await?;
    tx.commit().await?;
    Ok(response)
}

/// Removes a supplementary material (its file stays until deleted).
#[utoipa::path(delete, path = "/api/v1/session-materials/{sessionId}/supplementary/{materialId}", tag = "session-materials",
    params(("sessionId" = Uuid, Path), ("materialId" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn remove_supplementary(
    State(state): State<AppState>,
    actor: Actor,
    Path((session_id, material_id)): Path<(Uuid, Uuid)>,
    RequestContext(context): RequestContext,
) -> Result<StatusCode, ApiError> {
    let session = managed_session(&state, &actor, session_id).await?;
    let mut tx = state.pool.begin().await?;
    materials::lock(&mut tx, session_id, session.event_id, Utc::now()).await?;
    if !materials::remove_supplementary(&mut tx, session_id, material_id).await? {
        return Err(ApiError::not_found(format!(
            "no material {material_id} of session {session_id}"
        )));
    }
    announce_change(&mut tx, &state, session_id, &context).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a presentation of the session its primary one (the previous one no longer is).
#[utoipa::path(put, path = "/api/v1/session-materials/{sessionId}/primary", tag = "session-materials",
    params(("sessionId" = Uuid, Path)), request_body = PrimaryRequest,
    responses((status = 200, body = SessionMaterialsResponse), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_primary(
    State(state): State<AppState>,
    actor: Actor,
    Path(session_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<PrimaryRequest>, ApiError>,
) -> Result<Json<SessionMaterialsResponse>, ApiError> {
    let session = managed_session(&state, &actor, session_id).await?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    materials::lock(&mut tx, session_id, session.event_id, Utc::now()).await?;
    if !materials::make_primary(&mut tx, session_id, request.file_id).await? {
        let detail = format!(
            "file {} is no presentation of this session",
            request.file_id
        );
        return Err(ApiError::invalid_field("fileId", detail));
    }
    announce_change(&mut tx, &state, session_id, &context).await?;
    let body = answer(&state, &mut tx, session, Sight::Managing).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// Publishes the session's materials (organizers), or withdraws them.
#[utoipa::path(post, path = "/api/v1/session-materials/{sessionId}/publication", tag = "session-materials",
    params(("sessionId" = Uuid, Path)), request_body = PublicationRequest,
    responses((status = 200, body = SessionMaterialsResponse), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    Path(session_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<PublicationRequest>, ApiError>,
) -> Result<Json<SessionMaterialsResponse>, ApiError> {
    if uploader(Some(&actor)) != Uploader::Organizer {
        return Err(ApiError::forbidden("only organizers publish materials"));
    }
    let Json(request) = body?;
    let session = known_session(&state, session_id).await?;
    let now = Utc::now();
    let mut tx = state.pool.begin().await?;
    let m = materials::lock(&mut tx, session_id, session.event_id, now).await?;
    let at = request
        .published
        .then(|| m.materials_published_at.unwrap_or(now));
    materials::set_published(&mut tx, session_id, at).await?;
    announce_change(&mut tx, &state, session_id, &context).await?;
    let body = answer(&state, &mut tx, session, Sight::Managing).await?;
    tx.commit().await?;
    Ok(Json(body))
}
