//! Handlers of `/api/v1/registrations`: the attendee side of the registration saga.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{read_model, Actor, ApiError, Json, Owner, Path, Query, RequestContext, Role};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::RegistrationResponse;
use super::AppState;
use crate::domain::calendar::{CalendarEntry, Window};
use crate::domain::registration::{
    on_request, NewRegistration, Registrar, RegistrationInput, RegistrationRequest,
    RegistrationStatus,
};
use crate::domain::AttendeeError;
use crate::store;

/// Body of `POST /api/v1/registrations`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
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
        (status = 403, body = Problem), (status = 409, description = "Registration for the event is not open", body = Problem), (status = 422, body = Problem),
        (status = 503, description = "The event is not known here yet: repeat the request", body = Problem)),
    security(("bearer" = [])))]
pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    Json(request): Json<RegisterRequest>,
) -> Result<Response, ApiError> {
    let request_hash = idempotency::fingerprint(&request);
    let registrar = Registrar {
        organizer: actor.has(Role::Organizer),
        attendee: actor.attendee_id.filter(|_| actor.has(Role::Attendee)),
    };
    let asked = RegistrationInput {
        event_id: request.event_id,
        attendee_id: request.attendee_id,
        session_preferences: request.session_preferences,
        special_requests: request.special_requests,
    };
    let new = NewRegistration::parse(asked, registrar)?;
    store::attendees::fetch_attendee(&state.pool, new.attendee_id)
        .await?
        .filter(|a| a.erased_at.is_none())
        .ok_or_else(|| ApiError::invalid_field("attendeeId", "is not a known attendee"))?;
    ensure_open(&state.pool, new.event_id).await?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    let existing = store::registrations::insert_registration(&mut tx, id, &new, now).await?;
    match existing.map(|r| (on_request(Some(*r.status)), r)) {
        None => {}
        Some((RegistrationRequest::Reopen, r)) => {
            store::registrations::reopen(&mut tx, r.id, id, &new, now).await?;
        }
        Some((_, r)) => {
            let answer = SavedResponse::json(
                StatusCode::OK,
                HeaderMap::new(),
                &RegistrationResponse::from(r),
            );
            let response = once.finish(&mut tx, answer).await?;
            tx.commit().await?;
            return Ok(response);
        }
    }
    crate::announce::seat_requested(&mut tx, id, new.event_id, new.attendee_id, &context).await?;
    let record = store::registrations::fetch_registration(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    let location = format!("/api/v1/registrations/{id}");
    let answer = idempotency::created(location, None, &RegistrationResponse::from(record));
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// 409 unless the event takes registrations now, after giving an event about to open (its
/// organizer may have opened it a moment ago) a short while to do so. Nothing is created
/// and nobody is mailed for an event that is not open.
async fn ensure_open(pool: &sqlx::PgPool, event_id: Uuid) -> Result<(), ApiError> {
    let lookup = || store::engagement::calendar_entry(pool, event_id);
    let not_yet = |entry: &CalendarEntry| entry.window(Utc::now()) != Window::NotYet;
    let entry = read_model::await_settled("eventId", "event", event_id, lookup, not_yet).await?;
    match entry.window(Utc::now()) {
        Window::Open => Ok(()),
        Window::NotYet => Err(ApiError::conflict(
            "Registration for this event is not open yet",
        )),
        Window::Over => Err(ApiError::conflict("Registration for this event is closed")),
    }
}

/// Registrations are for organizers and attendees: 403 for everyone else, before anything
/// is looked up; another attendee's registration is then not found, as one that does not
/// exist.
pub(super) fn require_registrant(actor: &Actor) -> Result<(), ApiError> {
    actor.require_any(&[Role::Organizer, Role::Attendee])
}

/// Reads a registration with its waitlist position (its attendee or organizers).
#[utoipa::path(get, path = "/api/v1/registrations/{id}", tag = "registrations", params(("id" = Uuid, Path)),
    responses((status = 200, body = RegistrationResponse), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_registration(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<RegistrationResponse>, ApiError> {
    require_registrant(&actor)?;
    let record = store::registrations::fetch_registration(&state.pool, id)
        .await?
        .filter(|r| actor.is_self_or_organizer(Owner::Attendee(r.attendee_id)))
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
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
    require_registrant(&actor)?;
    let mut tx = state.pool.begin().await?;
    let record = store::registrations::lock_registration(&mut tx, id)
        .await?
        .filter(|r| actor.is_self_or_organizer(Owner::Attendee(r.attendee_id)))
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    crate::announce::cancellation(&mut tx, &record, None, Utc::now(), &context).await?;
    let record = store::registrations::fetch_registration(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::RegistrationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(RegistrationResponse::from(record)))
}
