//! Handlers of `/api/v1/registrations`: the attendee side of the registration saga.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use serde::Deserialize;
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, Query, RequestContext, Role};
use shared_domain::contracts::attendees::{RegistrationCancelled, RegistrationRequested};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::RegistrationResponse;
use super::AppState;
use crate::domain::registration::{
    cancel, on_request, Cancellation, RegistrationRequest, RegistrationStatus,
};
use crate::domain::AttendeeError;
use crate::store;
use crate::store::registrations::NewRegistration;

/// Body of `POST /api/v1/registrations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    pub event_id: Uuid,
    /// Required for organizers registering someone; an attendee token registers itself.
    pub attendee_id: Option<Uuid>,
    /// Sessions the attendee wants to attend.
    #[serde(default)]
    pub session_preferences: Vec<Uuid>,
    pub special_requests: Option<String>,
}

/// Query of the registration list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListRegistrationsQuery {
    pub event_id: Option<Uuid>,
    /// Organizers only; attendees always see their own.
    pub attendee_id: Option<Uuid>,
    pub status: Option<RegistrationStatus>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Registers an attendee for an event: stores `registered` and requests a seat in one
/// transaction. Registering again for the same event returns the existing registration
/// (a cancelled or rejected one is requested anew, under a new id).
#[utoipa::path(post, path = "/api/v1/registrations", tag = "registrations", request_body = RegisterRequest,
    responses((status = 201, description = "Requested", body = RegistrationResponse), (status = 200, description = "Already registered", body = RegistrationResponse),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    RequestContext(context): RequestContext,
    Json(request): Json<RegisterRequest>,
) -> Result<Response, ApiError> {
    let attendee_id = match (
        actor.has(Role::Organizer),
        request.attendee_id,
        actor.attendee_id,
    ) {
        (true, Some(id), _) => id,
        (_, None, Some(own)) | (false, Some(_), Some(own)) if actor.has(Role::Attendee) => own,
        (true, None, _) => {
            return Err(ApiError::invalid_field(
                "attendeeId",
                "is required when an organizer registers someone",
            ))
        }
        _ => {
            return Err(AttendeeError::Forbidden(
                "only attendees register themselves (or organizers register them)",
            )
            .into())
        }
    };
    if request.attendee_id.is_some_and(|id| id != attendee_id) {
        return Err(AttendeeError::Forbidden("attendees register only themselves").into());
    }
    if request.session_preferences.len() > 50 {
        return Err(ApiError::invalid_field(
            "sessionPreferences",
            "at most 50 sessions",
        ));
    }
    let special_requests = request
        .special_requests
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if special_requests.is_some_and(|s| s.chars().count() > 2000) {
        return Err(ApiError::invalid_field(
            "specialRequests",
            "must be at most 2000 characters",
        ));
    }
    let mut tx = state.pool.begin().await?;
    store::attendees::fetch_attendee(&mut *tx, attendee_id)
        .await?
        .filter(|a| a.erased_at.is_none())
        .ok_or_else(|| ApiError::invalid_field("attendeeId", "is not a known attendee"))?;
    let now = Utc::now();
    let new = NewRegistration {
        id: shared_domain::new_id(),
        event_id: request.event_id,
        attendee_id,
        session_preferences: &request.session_preferences,
        special_requests,
    };
    let (id, status) = if store::registrations::insert_registration(&mut tx, &new, now).await? {
        (new.id, StatusCode::CREATED)
    } else {
        let existing =
            store::registrations::lock_by_attendee(&mut tx, request.event_id, attendee_id)
                .await?
                .ok_or(AttendeeError::RegistrationNotFound(new.id))?;
        match on_request(Some(*existing.status)) {
            RegistrationRequest::Existing | RegistrationRequest::Create => {
                tx.commit().await?;
                return Ok(
                    (StatusCode::OK, Json(RegistrationResponse::from(existing))).into_response()
                );
            }
            RegistrationRequest::Reopen => {
                store::registrations::reopen(
                    &mut tx,
                    existing.id,
                    new.id,
                    &request.session_preferences,
                    special_requests,
                    now,
                )
                .await?;
                (new.id, StatusCode::CREATED)
            }
        }
    };
    enqueue(
        &mut tx,
        &RegistrationRequested {
            registration_id: id,
            event_id: request.event_id,
            attendee_id,
            requested_at: now,
        },
        &context,
    )
    .await?;
    crate::announce::registration_status(
        &mut tx,
        id,
        request.event_id,
        attendee_id,
        RegistrationStatus::Registered,
        None,
        &context,
    )
    .await?;
    let record = store::registrations::fetch_registration(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    tx.commit().await?;
    Ok((status, Json(RegistrationResponse::from(record))).into_response())
}

/// Reads a registration with its waitlist position (its attendee or organizers).
#[utoipa::path(get, path = "/api/v1/registrations/{id}", tag = "registrations", params(("id" = Uuid, Path)),
    responses((status = 200, body = RegistrationResponse), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_registration(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<RegistrationResponse>, ApiError> {
    let record = store::registrations::fetch_registration(&state.pool, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    actor.require_self_or_organizer(Owner::Attendee(record.attendee_id))?;
    Ok(Json(RegistrationResponse::from(record)))
}

/// Lists registrations (organizers: any; attendees: their own).
#[utoipa::path(get, path = "/api/v1/registrations", tag = "registrations", params(ListRegistrationsQuery),
    responses((status = 200, body = Page<RegistrationResponse>), (status = 400, body = Problem)), security(("bearer" = [])))]
pub async fn list_registrations(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListRegistrationsQuery>,
) -> Result<Json<Page<RegistrationResponse>>, ApiError> {
    let attendee_id = if actor.has(Role::Organizer) {
        query.attendee_id
    } else {
        Some(
            actor
                .attendee_id
                .filter(|_| actor.has(Role::Attendee))
                .ok_or(AttendeeError::Forbidden(
                    "only attendees and organizers list registrations",
                ))?,
        )
    };
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::registrations::list_registrations(
        &state.pool,
        query.event_id,
        attendee_id,
        query.status,
        page.after,
        page.fetch_limit(),
    )
    .await?;
    Ok(Json(
        Page::from_rows(rows, page.limit, |r| r.id).map(RegistrationResponse::from),
    ))
}

/// Cancels a registration (its attendee or organizers): a held seat is released and the
/// oldest waitlisted registration promoted; a waitlisted one just leaves the queue.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/cancel", tag = "registrations", params(("id" = Uuid, Path)),
    responses((status = 200, body = RegistrationResponse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn cancel_registration(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Json<RegistrationResponse>, ApiError> {
    let mut tx = state.pool.begin().await?;
    let record = store::registrations::lock_registration(&mut tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    actor.require_self_or_organizer(Owner::Attendee(record.attendee_id))?;
    let now = Utc::now();
    match cancel(*record.status)? {
        Cancellation::AlreadyCancelled => {}
        outcome => {
            store::registrations::set_status(&mut tx, id, RegistrationStatus::Cancelled, None, now)
                .await?;
            if outcome == Cancellation::ReleaseSeat {
                enqueue(
                    &mut tx,
                    &RegistrationCancelled {
                        registration_id: id,
                        event_id: record.event_id,
                        attendee_id: record.attendee_id,
                        cancelled_at: now,
                    },
                    &context,
                )
                .await?;
            }
            crate::announce::registration_status(
                &mut tx,
                id,
                record.event_id,
                record.attendee_id,
                RegistrationStatus::Cancelled,
                None,
                &context,
            )
            .await?;
        }
    }
    let record = store::registrations::fetch_registration(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(RegistrationResponse::from(record)))
}
