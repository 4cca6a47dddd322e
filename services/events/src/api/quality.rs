//! Handlers of `/api/v1/events/{id}/quality-review`: organizers set up the event's review
//! (moderator and deadline); the moderator or an organizer moves each speaker session
//! through its review steps, and the sessions roll up into the event's overall status.
//!
//! Every live speaker session is in the review: those without a review row yet (created
//! after the setup) count as `pending`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, RequestContext, Role};
use shared_domain::contracts::events::SessionReviewChanged;
use shared_domain::contracts::Known;
use shared_domain::StateMachine;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::quality::{self, QualityReviewStatus};
use crate::domain::EventError;
use crate::store;
use crate::store::quality::{ReviewRecord, SessionReviewRow};

/// Body of `PUT /api/v1/events/{id}/quality-review`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QualityReviewRequest {
    /// The token subject of the moderator who reviews the sessions.
    pub moderator_id: String,
    /// In the future and not after the event date.
    pub review_deadline: DateTime<Utc>,
}

/// Body of `PUT /api/v1/events/{id}/quality-review/sessions/{session_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionReviewRequest {
    pub status: QualityReviewStatus,
    /// Required for `requires_changes` and `rejected`; sent to the speakers.
    pub feedback: Option<String>,
}

/// The review of one live speaker session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionReviewResponse {
    pub session_id: Uuid,
    pub title: String,
    pub status: QualityReviewStatus,
    pub reviewer_id: Option<String>,
    pub feedback: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl From<SessionReviewRow> for SessionReviewResponse {
    fn from(row: SessionReviewRow) -> Self {
        SessionReviewResponse {
            session_id: row.session_id,
            status: row.status.map_or(QualityReviewStatus::Pending, |s| *s),
            title: row.title,
            reviewer_id: row.reviewer_id,
            feedback: row.feedback,
            reviewed_at: row.reviewed_at,
        }
    }
}

/// An event's quality review.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QualityReviewResponse {
    pub event_id: Uuid,
    pub moderator_id: String,
    /// The sessions' statuses rolled up: `approved` when all are approved, otherwise the most
    /// urgent of `requires_changes` (a rejected session counts as one), `revision_submitted`,
    /// `in_review`, `pending`.
    pub overall_status: QualityReviewStatus,
    /// Every live speaker session by start time.
    pub session_reviews: Vec<SessionReviewResponse>,
    pub review_deadline: DateTime<Utc>,
    /// Set when every session was approved; cleared if one is reopened.
    pub completed_at: Option<DateTime<Utc>>,
    /// The deadline passed before the review was completed.
    pub overdue: bool,
}

/// The live sessions in which speakers present (only they are reviewed).
async fn speaker_sessions(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<SessionReviewRow>, sqlx::Error> {
    let rows = store::quality::live_session_reviews(&mut *conn, event_id).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.session_type.has_speakers())
        .collect())
}

/// Rolls the sessions up, records a completion or a reopening, and answers the review. Runs
/// with the review locked, so the decision sees every committed session review.
async fn respond(
    conn: &mut PgConnection,
    review: ReviewRecord,
    now: DateTime<Utc>,
) -> Result<QualityReviewResponse, ApiError> {
    let sessions: Vec<SessionReviewResponse> = speaker_sessions(conn, review.event_id)
        .await?
        .into_iter()
        .map(SessionReviewResponse::from)
        .collect();
    let statuses: Vec<QualityReviewStatus> = sessions.iter().map(|s| s.status).collect();
    let overall_status = quality::roll_up(&statuses);
    let mut completed_at = quality::completed_at(overall_status, review.completed_at, now);
    if completed_at != review.completed_at {
        completed_at =
            store::quality::update_completed_at(conn, review.event_id, completed_at, now).await?;
    }
    Ok(QualityReviewResponse {
        event_id: review.event_id,
        overdue: quality::is_overdue(review.review_deadline, completed_at, now),
        moderator_id: review.moderator_id,
        overall_status,
        session_reviews: sessions,
        review_deadline: review.review_deadline,
        completed_at,
    })
}

fn no_review(event_id: Uuid) -> ApiError {
    ApiError::not_found(format!("no quality review was set up for event {event_id}"))
}

/// 403 unless the caller is an organizer or the review's moderator.
fn require_reviewer(actor: &Actor, review: &ReviewRecord) -> Result<(), ApiError> {
    if actor.has(Role::Organizer) || actor.subject == review.moderator_id {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "This requires the role organizer or being the review's moderator",
        ))
    }
}

/// Sets up or changes an event's quality review (organizers). Setting it up puts every live
/// speaker session in review as `pending`.
#[utoipa::path(put, path = "/api/v1/events/{id}/quality-review", tag = "quality-review", request_body = QualityReviewRequest, params(("id" = Uuid, Path)),
    responses((status = 200, description = "Changed", body = QualityReviewResponse), (status = 201, description = "Set up", body = QualityReviewResponse),
        (status = 404, body = Problem), (status = 422, description = "Deadline in the past or after the event date", body = Problem)),
    security(("bearer" = [])))]
pub async fn put_quality_review(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
    body: Result<Json<QualityReviewRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let moderator_id = request.moderator_id.trim();
    if moderator_id.is_empty() || moderator_id.len() > 255 {
        return Err(ApiError::invalid_field(
            "moderatorId",
            "must have 1 to 255 characters",
        ));
    }
    let now = Utc::now();
    let mut tx = state.pool.begin().await?;
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let deadline = quality::validate_deadline(request.review_deadline, event.event_date, now)
        .map_err(|e| ApiError::validation(vec![e]))?;
    let status = match store::quality::lock_review(&mut tx, event_id).await? {
        Some(_) => {
            store::quality::update_review(&mut tx, event_id, moderator_id, deadline, now).await?;
            StatusCode::OK
        }
        None => {
            store::quality::insert_review(&mut tx, event_id, moderator_id, deadline, now).await?;
            let sessions: Vec<Uuid> = speaker_sessions(&mut tx, event_id)
                .await?
                .iter()
                .map(|s| s.session_id)
                .collect();
            store::quality::insert_pending(&mut tx, event_id, &sessions, now).await?;
            StatusCode::CREATED
        }
    };
    let review = store::quality::lock_review(&mut tx, event_id)
        .await?
        .ok_or_else(|| ApiError::internal("quality review vanished"))?;
    let response = respond(&mut tx, review, now).await?;
    tx.commit().await?;
    Ok((status, Json(response)).into_response())
}

/// Reads an event's quality review with every live speaker session (organizers and the
/// review's moderator).
#[utoipa::path(get, path = "/api/v1/events/{id}/quality-review", tag = "quality-review", params(("id" = Uuid, Path)),
    responses((status = 200, body = QualityReviewResponse), (status = 403, body = Problem), (status = 404, description = "No review was set up", body = Problem)),
    security(("bearer" = [])))]
pub async fn get_quality_review(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
) -> Result<Json<QualityReviewResponse>, ApiError> {
    let mut tx = state.pool.begin().await?;
    let review = store::quality::lock_review(&mut tx, event_id)
        .await?
        .ok_or_else(|| no_review(event_id))?;
    require_reviewer(&actor, &review)?;
    let response = respond(&mut tx, review, Utc::now()).await?;
    tx.commit().await?;
    Ok(Json(response))
}

/// Moves one session's review a step on (the review's moderator or an organizer). Asking for
/// changes or rejecting needs feedback, which the speakers receive.
#[utoipa::path(put, path = "/api/v1/events/{id}/quality-review/sessions/{session_id}", tag = "quality-review", request_body = SessionReviewRequest,
    params(("id" = Uuid, Path), ("session_id" = Uuid, Path)),
    responses((status = 200, body = QualityReviewResponse), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Refused review step; names the allowed ones", body = Problem), (status = 422, description = "Feedback missing", body = Problem)),
    security(("bearer" = [])))]
pub async fn put_session_review(
    State(state): State<AppState>,
    actor: Actor,
    Path((event_id, session_id)): Path<(Uuid, Uuid)>,
    RequestContext(context): RequestContext,
    body: Result<Json<SessionReviewRequest>, ApiError>,
) -> Result<Json<QualityReviewResponse>, ApiError> {
    let mut tx = state.pool.begin().await?;
    let review = store::quality::lock_review(&mut tx, event_id)
        .await?
        .ok_or_else(|| no_review(event_id))?;
    require_reviewer(&actor, &review)?;
    let Json(request) = body?;
    let session = speaker_sessions(&mut tx, event_id)
        .await?
        .into_iter()
        .find(|s| s.session_id == session_id)
        .ok_or(EventError::SessionNotFound(session_id))?;
    let feedback = quality::review_feedback(request.status, request.feedback.as_deref())
        .map_err(|e| ApiError::validation(vec![e]))?;
    let current = session.status.map_or(QualityReviewStatus::Pending, |s| *s);
    let status = current.transition(request.status)?;
    let now = Utc::now();
    store::quality::upsert_session_review(
        &mut tx,
        event_id,
        session_id,
        status,
        &actor.subject,
        feedback.as_deref(),
        now,
    )
    .await?;
    let changed = SessionReviewChanged {
        event_id,
        session_id,
        status: Known::of(&status),
        feedback,
        reviewer_id: actor.subject.clone(),
        changed_at: now,
    };
    enqueue(&mut tx, &changed, &context).await?;
    let response = respond(&mut tx, review, now).await?;
    tx.commit().await?;
    Ok(Json(response))
}
