//! GDPR endpoints: export everything held about an attendee, and erase it (saga 6). Erasure
//! anonymises the attendee here (registrations and counts stay right) and announces
//! `AttendeeErased` so every other context removes what it holds; it is idempotent. The
//! registrations for events still to come are cancelled first, so their seats go to the
//! waitlist (nobody is mailed of it).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use serde::Serialize;
use serde_json::Value;
use service_kit::peers::{rows_about, Holding};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, RequestContext};
use shared_domain::contracts::attendees::{AttendeeErased, ERASED};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::AttendeeResponse;
use super::dto::RegistrationResponse;
use super::AppState;
use crate::domain::AttendeeError;
use crate::store;

/// Everything the platform holds about one attendee: the attendees context's records and,
/// by service, the rows every other context keeps about the person.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeExport {
    pub attendee: AttendeeResponse,
    pub registrations: Vec<RegistrationResponse>,
    /// By table, the other rows about the person here: newsletter subscriptions, ratings and
    /// downloads, a pending address change (token digests redacted).
    #[schema(value_type = Object)]
    pub held: Value,
    /// By service (`events`, `notifications`, `partners`), by table: the rows about the person.
    #[schema(value_type = Object)]
    pub elsewhere: BTreeMap<String, Value>,
    pub exported_at: DateTime<Utc>,
}

/// Where this service keeps rows about a person besides the attendee and registrations.
const HOLDINGS: &[Holding] = &[
    ("newsletter_subscriptions", "attendee_id = $1"),
    ("content_engagement", "attendee_id = $1"),
    ("email_changes", "person_id = $1"),
];

/// The contexts besides the owner that keep rows about a person.
pub const HOLDERS: [&str; 3] = ["events", "notifications", "partners"];

/// Exports everything the platform holds about the attendee (itself or organizers), in one
/// answer; 503 while a context holding data about people does not answer.
#[utoipa::path(get, path = "/api/v1/attendees/{id}/export", tag = "attendees", params(("id" = Uuid, Path)),
    responses((status = 200, body = AttendeeExport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)), security(("bearer" = [])))]
pub async fn export_attendee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<AttendeeExport>, ApiError> {
    actor.require_self_or_organizer(Owner::Attendee(id))?;
    let attendee = store::attendees::fetch_attendee(&state.pool, id)
        .await?
        .ok_or(AttendeeError::NotFound(id))?;
    let registrations =
        store::registrations::list_registrations(&state.pool, None, Some(id), None, None, 10_000)
            .await?;
    let held = rows_about(&state.pool, id, HOLDINGS).await?;
    let elsewhere = state.peers.gather(id, &HOLDERS).await?;
    Ok(Json(AttendeeExport {
        attendee: AttendeeResponse::from(attendee),
        registrations: registrations
            .into_iter()
            .map(RegistrationResponse::from)
            .collect(),
        held,
        elsewhere,
        exported_at: Utc::now(),
    }))
}

/// Erases the attendee's personal data (itself or organizers). Answers 204 also when it was
/// already erased.
#[utoipa::path(delete, path = "/api/v1/attendees/{id}", tag = "attendees", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Erased"), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn erase_attendee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Attendee(id))?;
    let mut tx = state.pool.begin().await?;
    let attendee = store::attendees::lock_attendee(&mut tx, id)
        .await?
        .ok_or(AttendeeError::NotFound(id))?;
    let now = Utc::now();
    cancel_upcoming(&mut tx, id, now, &context).await?;
    service_kit::erasure::forget_person(&mut tx, id, &attendee.email).await?;
    if store::attendees::erase_attendee(&mut tx, id, now).await? {
        enqueue(
            &mut tx,
            &AttendeeErased {
                attendee_id: id,
                erased_at: now,
            },
            &context,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Cancels the attendee's registrations for events still to come: a held seat is given back
/// (the waitlist moves up), and the status change says why ([`ERASED`]), so the attendee
/// is not mailed of it.
async fn cancel_upcoming(
    conn: &mut PgConnection,
    attendee_id: Uuid,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    for registration in store::registrations::lock_upcoming(conn, attendee_id, now).await? {
        crate::announce::cancellation(conn, &registration, Some(ERASED), now, context).await?;
    }
    Ok(())
}
