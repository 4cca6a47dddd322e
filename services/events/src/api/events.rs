//! Handlers of `/api/v1/events`: the event aggregate, its status and its workflow.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::events::{
    EventDetailsChanged, EventPublished, EventStatusChanged, EventWorkflowChanged,
    RegistrationClosed, RegistrationOpened, SeatsAdded,
};
use shared_domain::contracts::Known;
use shared_domain::Parse;
use shared_domain::StateMachine;
use sqlx::PgConnection;
use uuid::Uuid;

use super::dto::{
    CreateEventRequest, EventResponse, ListEventsQuery, StatusChangeRequest, UpdateEventRequest,
    WorkflowChangeRequest,
};
use super::AppState;
use crate::domain::event::EventFields;
use crate::domain::status::{EventStatus, EventWorkflowState};
use crate::domain::{agenda, seats, EventError};
use crate::store;
use crate::store::events::EventRecord;

/// What other contexts learn of an event after it was created or changed.
fn details_changed(record: &EventRecord) -> EventDetailsChanged {
    EventDetailsChanged {
        event_id: record.id,
        event_number: record.event_number,
        title: record.title.clone(),
        event_date: record.event_date,
        registration_deadline: record.registration_deadline,
        venue_name: record.venue_name.clone(),
        venue_address: record.venue_address.clone(),
        version: record.version,
        changed_at: record.updated_at,
    }
}

/// Creates an event in `planning` / `topic_selection` (organizers). Honors `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = CreateEventRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = EventResponse), (status = 409, description = "eventNumber taken", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_event(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<CreateEventRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    let fields = EventFields::from(request.clone())
        .into_valid()
        .map_err(ApiError::validation)?;
    fields
        .check_ahead(Utc::now())
        .map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(
        &mut tx,
        &actor.subject,
        key,
        &idempotency::fingerprint(&request),
    )
    .await?
    {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let id = shared_domain::new_id();
    store::events::insert_event(&mut tx, id, &fields, &actor.subject, Utc::now()).await??;
    let record = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    enqueue(&mut tx, &details_changed(&record), &context).await?;
    let location = format!("/api/v1/events/{id}");
    let answer = idempotency::created(location, Some(record.version), &EventResponse::from(record));
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Reads an event (its organizers: any; everyone else, also without a token: published ones).
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = EventResponse), (status = 404, body = Problem)), security((), ("bearer" = [])))]
pub async fn get_event(
    State(state): State<AppState>,
    actor: Option<Actor>,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let organizer = actor.is_some_and(|a| a.has_for(Role::Organizer, id));
    let record = store::events::fetch_event(&state.pool, id)
        .await?
        .filter(|e| e.status().visible_to(organizer))
        .ok_or(EventError::NotFound(id))?;
    Ok((
        etag_header(record.version),
        Json(EventResponse::from(record)),
    )
        .into_response())
}

/// Lists events by date (organizers: all; everyone else, also without a token, as a public
/// site does: published ones with their registration state).
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListEventsQuery),
    responses((status = 200, body = Page<EventResponse>), (status = 400, body = Problem)), security((), ("bearer" = [])))]
pub async fn list_events(
    State(state): State<AppState>,
    actor: Option<Actor>,
    Query(query): Query<ListEventsQuery>,
) -> Result<Json<Page<EventResponse>>, ApiError> {
    let page =
        PageRequest::parse::<(chrono::DateTime<Utc>, Uuid)>(query.limit, query.cursor.as_deref())?;
    let public = EventStatus::PUBLIC;
    let organizer = actor.is_some_and(|a| a.has(Role::Organizer));
    let statuses: Option<Vec<String>> = match (query.status, organizer) {
        (Some(status), true) => Some(vec![status.as_str()]),
        (Some(status), false) => Some(
            public
                .iter()
                .filter(|s| **s == status)
                .map(|s| s.as_str())
                .collect(),
        ),
        (None, true) => None,
        (None, false) => Some(public.iter().map(|s| s.as_str()).collect()),
    };
    let rows = store::events::list_events(
        &state.pool,
        statuses.as_deref(),
        page.after.as_ref(),
        page.fetch_limit(),
    )
    .await?;
    Ok(Json(
        Page::from_rows(rows, page.limit, |e| (e.event_date, e.id)).map(EventResponse::from),
    ))
}

/// Updates an event's fields with `If-Match` (organizers). Once published, its date,
/// deadline, type and slot configuration are fixed. A capacity raised while registration
/// is open offers the new seats to the waitlist (`SeatsAdded`).
#[utoipa::path(patch, path = "/api/v1/events/{id}", tag = "events", request_body = UpdateEventRequest,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = EventResponse), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_event(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdateEventRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(id)?;
    let (if_match, Json(patch)) = (if_match?, body?);
    let mut tx = state.pool.begin().await?;
    let current = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    if_match.check(current.version)?;
    let before = current.fields();
    let fields = patch
        .apply_to(before.clone())
        .into_valid()
        .map_err(ApiError::validation)?;
    let reschedules = fields.event_date != before.event_date
        || fields.registration_deadline != before.registration_deadline
        || fields.event_type != before.event_type
        || fields.slot_configuration != before.slot_configuration;
    if reschedules {
        current.status().ensure_planning_open()?;
    }
    if fields.capacity < current.current_attendee_count {
        return Err(ApiError::invalid_field(
            "capacity",
            format!("{} seats are already taken", current.current_attendee_count),
        ));
    }
    store::events::update_event(&mut tx, id, &fields, Utc::now()).await??;
    let record = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    enqueue(&mut tx, &details_changed(&record), &context).await?;
    if seats::capacity_raise_frees_seats(before.capacity, record.seats(), Utc::now()) {
        let added = SeatsAdded {
            event_id: id,
            capacity: record.capacity,
            seats_taken: record.current_attendee_count,
            added_at: record.updated_at,
        };
        enqueue(&mut tx, &added, &context).await?;
    }
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(EventResponse::from(record)),
    )
        .into_response())
}

/// Moves the event to another status (organizers, `If-Match`). Publishing requires the
/// workflow at `agenda_finalization` and a complete agenda.
#[utoipa::path(post, path = "/api/v1/events/{id}/status", tag = "events", request_body = StatusChangeRequest,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = EventResponse), (status = 409, description = "Refused transition: names the current state and the allowed ones", body = Problem), (status = 412, body = Problem)),
    security(("bearer" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<StatusChangeRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(id)?;
    let (if_match, Json(request)) = (if_match?, body?);
    let mut tx = state.pool.begin().await?;
    let current = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    if_match.check(current.version)?;
    let from = current.status();
    let to = from.transition(request.status)?;
    let workflow = match (to, from) {
        (EventStatus::Published, EventStatus::AgendaDraft) => {
            if current.workflow_state() != EventWorkflowState::AgendaFinalization {
                return Err(EventError::Conflict(format!(
                    "publishing needs the workflow at agenda_finalization (it is at {})",
                    current.workflow_state
                ))
                .into());
            }
            let missing =
                agenda::missing_for_publication(&store::slots::slot_states(&mut tx, id).await?);
            if !missing.is_empty() {
                return Err(EventError::AgendaIncomplete(missing).into());
            }
            let waiting = unapproved_speakers(&state, &mut tx, id).await?;
            let reason = request.override_content_review.as_deref();
            agenda::check_content(waiting, reason)?;
            EventWorkflowState::Published
        }
        (EventStatus::AgendaDraft, EventStatus::Published) => {
            EventWorkflowState::AgendaFinalization
        }
        _ => current.workflow_state(),
    };
    let now = Utc::now();
    store::events::update_states(&mut tx, id, to, workflow, now).await?;
    let record = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    emit_status_events(&mut tx, &record, from, &actor, &context).await?;
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(EventResponse::from(record)),
    )
        .into_response())
}

/// The speakers on the agenda whose content is not approved yet, by name where their key
/// opens it (else by id).
async fn unapproved_speakers(
    state: &AppState,
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<String>, ApiError> {
    let waiting = store::people::unapproved_on_agenda(conn, event_id).await?;
    let names = super::agenda::names(state, &waiting).await?;
    Ok(waiting
        .iter()
        .map(|p| {
            names
                .get(&p.speaker_id)
                .cloned()
                .unwrap_or_else(|| p.speaker_id.to_string())
        })
        .collect())
}

async fn emit_status_events(
    conn: &mut PgConnection,
    event: &EventRecord,
    from: EventStatus,
    actor: &Actor,
    context: &EventContext,
) -> Result<(), ApiError> {
    let now = event.updated_at;
    let changed = EventStatusChanged {
        event_id: event.id,
        from: Known::of(&from),
        to: Known::of(&*event.status),
        changed_by: actor.subject.clone(),
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    match event.status() {
        EventStatus::Published if from == EventStatus::AgendaDraft => {
            let published = EventPublished {
                event_id: event.id,
                event_number: event.event_number,
                title: event.title.clone(),
                event_date: event.event_date,
                registration_deadline: event.registration_deadline,
                capacity: event.capacity,
                published_at: event.published_at.unwrap_or(now),
                sessions: store::slots::scheduled_sessions(conn, event.id).await?,
            };
            enqueue(conn, &published, context).await?;
        }
        EventStatus::RegistrationOpen => {
            let opened = RegistrationOpened {
                event_id: event.id,
                capacity: event.capacity,
                registration_deadline: event.registration_deadline,
                opened_at: now,
            };
            enqueue(conn, &opened, context).await?;
        }
        EventStatus::RegistrationClosed => {
            enqueue(
                conn,
                &RegistrationClosed {
                    event_id: event.id,
                    closed_at: now,
                },
                context,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Moves the event to another planning step (organizers, `If-Match`).
#[utoipa::path(post, path = "/api/v1/events/{id}/workflow", tag = "events", request_body = WorkflowChangeRequest,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = EventResponse), (status = 409, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = [])))]
pub async fn change_workflow(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<WorkflowChangeRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(id)?;
    let (if_match, Json(request)) = (if_match?, body?);
    let mut tx = state.pool.begin().await?;
    let current = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    if_match.check(current.version)?;
    let from = current.workflow_state();
    let to = from.transition(request.workflow_state)?;
    let now = Utc::now();
    store::events::update_states(&mut tx, id, current.status(), to, now).await?;
    let changed = EventWorkflowChanged {
        event_id: id,
        from: Known::of(&from),
        to: Known::of(&to),
        changed_by: actor.subject.clone(),
        changed_at: now,
    };
    enqueue(&mut tx, &changed, &context).await?;
    let record = store::events::lock_event(&mut tx, id)
        .await?
        .ok_or(EventError::NotFound(id))?;
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(EventResponse::from(record)),
    )
        .into_response())
}
