//! Handlers of sessions: `/api/v1/events/{id}/sessions` and `/api/v1/sessions/{id}`.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, RequestContext, Role};
use shared_domain::contracts::events::{SessionCancelled, SessionCreated, SessionUpdated};
use sqlx::PgConnection;
use uuid::Uuid;

use super::dto::{SessionRequest, SessionResponse, SessionSpeakerRequest};
use super::AppState;
use crate::domain::session::{ensure_inside_slot, SessionFields};
use crate::domain::{enum_name, EventError};
use crate::store;
use crate::store::sessions::{SessionRecord, SessionSpeakerRecord};

async fn respond(
    conn: &mut PgConnection,
    session_id: Uuid,
    status: StatusCode,
) -> Result<Response, ApiError> {
    Ok(answer(conn, session_id, status).await?.into_response())
}

/// The session as the API shows it, with `ETag` (and `Location` when it was created).
async fn answer(
    conn: &mut PgConnection,
    session_id: Uuid,
    status: StatusCode,
) -> Result<SavedResponse, ApiError> {
    let record = store::sessions::fetch_session(&mut *conn, session_id)
        .await?
        .ok_or(EventError::SessionNotFound(session_id))?;
    let speakers = store::sessions::speakers_of_event(&mut *conn, record.event_id).await?;
    let mut headers = etag_header(record.version);
    if status == StatusCode::CREATED {
        headers.insert(
            LOCATION,
            HeaderValue::from_str(&format!("/api/v1/sessions/{session_id}")).expect("uuid path"),
        );
    }
    let body = SessionResponse::new(record, &speakers);
    Ok(SavedResponse::json(status, headers, &body))
}

/// Adds a session to an event (organizers).
#[utoipa::path(post, path = "/api/v1/events/{id}/sessions", tag = "sessions", request_body = SessionRequest, params(("id" = Uuid, Path)),
    responses((status = 201, body = SessionResponse), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, description = "Invalid fields, outside the event day or overlapping another session in the room", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_session(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(event_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<SessionRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    event.status().ensure_sessions_open()?;
    let others = store::sessions::placed_sessions(&mut tx, event_id).await?;
    let fields = SessionFields::from(request)
        .validate(event.event_date, &others, None)
        .map_err(ApiError::validation)?;
    let id = shared_domain::new_id();
    store::sessions::insert_session(&mut tx, id, event_id, &fields, Utc::now()).await?;
    let record = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?;
    enqueue(
        &mut tx,
        &SessionCreated {
            session: SessionRecord::snapshot(&record),
        },
        &context,
    )
    .await?;
    let created = answer(&mut tx, id, StatusCode::CREATED).await?;
    let response = once.finish(&mut tx, created).await?;
    tx.commit().await?;
    Ok(response)
}

/// The sessions of an event by start time, with their speakers (only those who confirmed,
/// for everyone but organizers).
#[utoipa::path(get, path = "/api/v1/events/{id}/sessions", tag = "sessions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SessionResponse>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
) -> Result<Json<Vec<SessionResponse>>, ApiError> {
    let organizer = actor.has(Role::Organizer);
    store::events::fetch_event(&state.pool, event_id)
        .await?
        .filter(|e| e.status().visible_to(organizer))
        .ok_or(EventError::NotFound(event_id))?;
    let sessions = store::sessions::list_sessions(&state.pool, event_id).await?;
    let speakers = store::sessions::speakers_of_event(&state.pool, event_id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionResponse::new(s, &speakers).seen_by(organizer))
            .collect(),
    ))
}

/// Reads one session (its speakers as the list shows them).
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = Uuid, Path)),
    responses((status = 200, body = SessionResponse), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_session(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let organizer = actor.has(Role::Organizer);
    let mut conn = state.pool.acquire().await?;
    let record = store::sessions::fetch_session(&mut *conn, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?;
    store::events::fetch_event(&mut *conn, record.event_id)
        .await?
        .filter(|e| e.status().visible_to(organizer))
        .ok_or(EventError::SessionNotFound(id))?;
    let speakers = store::sessions::speakers_of_event(&mut *conn, record.event_id).await?;
    let version = record.version;
    let body = SessionResponse::new(record, &speakers).seen_by(organizer);
    Ok((etag_header(version), Json(body)).into_response())
}

/// Replaces a session's fields (organizers, `If-Match`). An assigned session stays inside its slot.
#[utoipa::path(put, path = "/api/v1/sessions/{id}", tag = "sessions", request_body = SessionRequest, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SessionResponse), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_session(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<SessionRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_somewhere()?;
    let mut tx = state.pool.begin().await?;
    let event_id = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?
        .event_id;
    actor.require_organizer_of(event_id)?;
    let (if_match, Json(request)) = (if_match?, body?);
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let current = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?;
    if_match.check(current.version)?;
    event.status().ensure_sessions_open()?;
    if current.cancelled_at.is_some() {
        return Err(EventError::Conflict("the session is cancelled".into()).into());
    }
    let others = store::sessions::placed_sessions(&mut tx, event_id).await?;
    let fields = SessionFields::from(request)
        .validate(event.event_date, &others, Some(id))
        .map_err(ApiError::validation)?;
    let slot = store::slots::list_slots(&mut *tx, event_id)
        .await?
        .into_iter()
        .find(|s| s.assigned_session_id == Some(id));
    if let Some(slot) = slot {
        let times = (fields.start_time, fields.end_time);
        ensure_inside_slot(times, slot.slot_number, (slot.start_time, slot.end_time))
            .map_err(|e| ApiError::validation(vec![e]))?;
    }
    if fields != current.fields() {
        store::sessions::update_session(&mut tx, id, &fields, Utc::now()).await?;
        let record = store::sessions::fetch_session(&mut *tx, id)
            .await?
            .ok_or(EventError::SessionNotFound(id))?;
        let session = SessionRecord::snapshot(&record);
        enqueue(&mut tx, &SessionUpdated { session }, &context).await?;
        super::agenda_changes::announce(&mut tx, &event, &context).await?;
    }
    let response = respond(&mut tx, id, StatusCode::OK).await?;
    tx.commit().await?;
    Ok(response)
}

/// Cancels a session (organizers, `If-Match`): it leaves its slot; speakers can no longer be invited.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/cancel", tag = "sessions", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SessionResponse), (status = 409, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn cancel_session(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    actor.require_organizer_somewhere()?;
    let mut tx = state.pool.begin().await?;
    let event_id = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?
        .event_id;
    actor.require_organizer_of(event_id)?;
    let if_match = if_match?;
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let current = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?;
    event.status().ensure_sessions_open()?;
    if current.cancelled_at.is_none() {
        if_match.check(current.version)?;
        let now = Utc::now();
        store::sessions::cancel_session(&mut tx, id, now).await?;
        enqueue(
            &mut tx,
            &SessionCancelled {
                session_id: id,
                event_id,
                cancelled_at: now,
            },
            &context,
        )
        .await?;
        super::agenda_changes::announce(&mut tx, &event, &context).await?;
    }
    let response = respond(&mut tx, id, StatusCode::OK).await?;
    tx.commit().await?;
    Ok(response)
}

/// Records the speakers of a session and whether each accepted (organizers). The speakers
/// context publishes the same facts as speakers answer their invitations.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/speakers", tag = "sessions", request_body = Vec<SessionSpeakerRequest>, params(("id" = Uuid, Path)),
    responses((status = 200, body = SessionResponse), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_session_speakers(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    body: Result<Json<Vec<SessionSpeakerRequest>>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(speakers) = body?;
    let mut unique = std::collections::HashSet::new();
    if let Some(dup) = speakers.iter().find(|s| !unique.insert(s.speaker_id)) {
        return Err(ApiError::invalid_field(
            "speakerId",
            format!("speaker {} is listed twice", dup.speaker_id),
        ));
    }
    if let Some(index) = speakers.iter().position(|s| {
        s.presentation_title
            .as_ref()
            .is_some_and(|t| t.chars().count() > 255)
    }) {
        return Err(ApiError::invalid_field(
            &format!("[{index}].presentationTitle"),
            "must be at most 255 characters",
        ));
    }
    let mut tx = state.pool.begin().await?;
    let event_id = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?
        .event_id;
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    event.status().ensure_sessions_open()?;
    let current = store::sessions::fetch_session(&mut *tx, id)
        .await?
        .ok_or(EventError::SessionNotFound(id))?;
    if current.cancelled_at.is_some() {
        return Err(EventError::Conflict("the session is cancelled".into()).into());
    }
    let records: Vec<SessionSpeakerRecord> = speakers
        .into_iter()
        .map(|s| SessionSpeakerRecord {
            session_id: id,
            speaker_id: s.speaker_id,
            role: enum_name(&s.role),
            presentation_title: s.presentation_title,
            is_confirmed: s.is_confirmed,
        })
        .collect();
    store::sessions::replace_speakers(&mut tx, id, &records, Utc::now()).await?;
    let response = respond(&mut tx, id, StatusCode::OK).await?;
    tx.commit().await?;
    Ok(response)
}
