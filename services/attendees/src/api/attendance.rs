//! Attendance and content engagement: attendees confirm they will come and rate or view
//! sessions and materials; organizers record who actually attended (single and bulk),
//! announced as `AttendanceRecorded` for partner analytics.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, RequestContext, Role};
use shared_domain::contracts::attendees::AttendanceRecorded;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::RegistrationResponse;
use super::registrations::require_registrant;
use super::AppState;
use crate::domain::registration::RegistrationStatus;
use crate::domain::{enum_name, AttendeeError};
use crate::store;
use crate::store::engagement::NewEngagement;

/// Body of `PUT /api/v1/registrations/{id}/attendance`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendanceRequest {
    pub attended: bool,
}

/// One line of a bulk attendance record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendanceLine {
    pub registration_id: Uuid,
    pub attended: bool,
}

/// Body of `POST /api/v1/registrations/attendance`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkAttendanceRequest {
    pub registrations: Vec<AttendanceLine>,
}

/// Outcome of one bulk line.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceOutcome {
    pub registration_id: Uuid,
    pub recorded: bool,
    /// Why it was not recorded (unknown, or not a confirmed registration).
    pub reason: Option<String>,
}

/// What an engagement is about.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentType {
    Session,
    Material,
}

/// The kind of engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EngagementType {
    View,
    Download,
    Rating,
}

/// Body of `POST /api/v1/attendees/{id}/engagements`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngagementRequest {
    pub content_type: ContentType,
    pub content_id: Uuid,
    pub engagement_type: EngagementType,
    /// The rating, 0–5 (ratings only).
    pub value: Option<f64>,
}

/// Aggregates of one content item.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EngagementSummary {
    pub content_type: ContentType,
    pub content_id: Uuid,
    pub views: i64,
    pub downloads: i64,
    pub ratings: i64,
    pub average_rating: Option<f64>,
}

/// The attendee confirms they will attend (before the event, confirmed registrations only).
#[utoipa::path(post, path = "/api/v1/registrations/{id}/confirm-attendance", tag = "registrations", params(("id" = Uuid, Path)),
    responses((status = 200, body = RegistrationResponse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn confirm_attendance(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<RegistrationResponse>, ApiError> {
    require_registrant(&actor)?;
    let mut tx = state.pool.begin().await?;
    let registration = store::registrations::lock_registration(&mut tx, id)
        .await?
        .filter(|r| actor.is_self_or_organizer(Owner::Attendee(r.attendee_id)))
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    if *registration.status != RegistrationStatus::Confirmed {
        return Err(AttendeeError::Conflict(format!(
            "only confirmed registrations confirm attendance (this one is {})",
            enum_name(&*registration.status)
        ))
        .into());
    }
    let starts = store::engagement::event_date(&mut *tx, registration.event_id).await?;
    if starts.is_none_or(|date| Utc::now() >= date) {
        return Err(AttendeeError::Conflict(
            "attendance is confirmed before the event starts".into(),
        )
        .into());
    }
    store::engagement::confirm_attendance(&mut tx, id, Utc::now()).await?;
    let record = store::registrations::fetch_registration(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(RegistrationResponse::from(record)))
}

async fn record_one(
    conn: &mut PgConnection,
    id: Uuid,
    attended: bool,
    context: &EventContext,
) -> Result<Option<String>, ApiError> {
    let now = Utc::now();
    let Some((attendee_id, company_id, event_id)) =
        store::engagement::set_attendance(conn, id, attended, now).await?
    else {
        return Ok(Some("no confirmed registration with this id".into()));
    };
    enqueue(
        conn,
        &AttendanceRecorded {
            registration_id: id,
            event_id,
            attendee_id,
            company_id,
            attended,
            recorded_at: now,
        },
        context,
    )
    .await?;
    Ok(None)
}

/// Records whether the attendee of a confirmed registration attended (organizers).
#[utoipa::path(put, path = "/api/v1/registrations/{id}/attendance", tag = "registrations", request_body = AttendanceRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = RegistrationResponse), (status = 403, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn record_attendance(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<AttendanceRequest>, ApiError>,
) -> Result<Json<RegistrationResponse>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    store::registrations::lock_registration(&mut tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    if let Some(reason) = record_one(&mut tx, id, request.attended, &context).await? {
        return Err(AttendeeError::Conflict(reason).into());
    }
    let record = store::registrations::fetch_registration(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(RegistrationResponse::from(record)))
}

/// Records attendance for many registrations at once (organizers); each line answers
/// whether it was recorded.
#[utoipa::path(post, path = "/api/v1/registrations/attendance", tag = "registrations", request_body = BulkAttendanceRequest,
    responses((status = 200, body = Vec<AttendanceOutcome>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn record_attendance_bulk(
    State(state): State<AppState>,
    actor: Actor,
    RequestContext(context): RequestContext,
    body: Result<Json<BulkAttendanceRequest>, ApiError>,
) -> Result<Json<Vec<AttendanceOutcome>>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    if request.registrations.is_empty() || request.registrations.len() > 1000 {
        return Err(ApiError::invalid_field(
            "registrations",
            "must list 1 to 1000 registrations",
        ));
    }
    let mut tx = state.pool.begin().await?;
    let mut outcomes = Vec::with_capacity(request.registrations.len());
    for line in &request.registrations {
        let reason = record_one(&mut tx, line.registration_id, line.attended, &context).await?;
        outcomes.push(AttendanceOutcome {
            registration_id: line.registration_id,
            recorded: reason.is_none(),
            reason,
        });
    }
    tx.commit().await?;
    Ok(Json(outcomes))
}

/// Records a view, download or rating of a session or material (the attendee or organizers).
/// A view or download counts once per attendee, item and hour; a rating replaces the earlier one.
#[utoipa::path(post, path = "/api/v1/attendees/{id}/engagements", tag = "attendees", request_body = EngagementRequest, params(("id" = Uuid, Path)),
    responses((status = 204, description = "Recorded"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn record_engagement(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    body: Result<Json<EngagementRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Attendee(id))?;
    let Json(request) = body?;
    match (request.engagement_type, request.value) {
        (EngagementType::Rating, Some(v)) if (0.0..=5.0).contains(&v) => {}
        (EngagementType::Rating, _) => {
            return Err(ApiError::invalid_field(
                "value",
                "a rating needs a value from 0 to 5",
            ))
        }
        (_, Some(_)) => {
            return Err(ApiError::invalid_field(
                "value",
                "only ratings carry a value",
            ))
        }
        (_, None) => {}
    }
    let mut tx = state.pool.begin().await?;
    store::attendees::fetch_attendee(&mut *tx, id)
        .await?
        .filter(|a| a.erased_at.is_none())
        .ok_or(AttendeeError::NotFound(id))?;
    let engagement = NewEngagement {
        attendee_id: id,
        content_type: &enum_name(&request.content_type),
        content_id: request.content_id,
        engagement_type: &enum_name(&request.engagement_type),
        value: request.value,
    };
    store::engagement::record(&mut tx, &engagement, Utc::now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Views, downloads and ratings of one session or material (any authenticated caller).
#[utoipa::path(get, path = "/api/v1/attendees/engagement/{content_type}/{content_id}", tag = "attendees",
    params(("content_type" = ContentType, Path), ("content_id" = Uuid, Path)),
    responses((status = 200, body = EngagementSummary), (status = 400, body = Problem)), security(("bearer" = [])))]
pub async fn engagement_summary(
    State(state): State<AppState>,
    _actor: Actor,
    Path((content_type, content_id)): Path<(ContentType, Uuid)>,
) -> Result<Json<EngagementSummary>, ApiError> {
    let (views, downloads, ratings, average_rating) =
        store::engagement::summary(&state.pool, &enum_name(&content_type), content_id).await?;
    Ok(Json(EngagementSummary {
        content_type,
        content_id,
        views,
        downloads,
        ratings,
        average_rating,
    }))
}
