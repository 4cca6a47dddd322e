//! The registration events the attendees context announces from more than one place (the
//! registration handlers and the seat reactions), written into the caller's transaction.

use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use shared_domain::contracts::attendees::{RegistrationRequested, RegistrationStatusChanged};
use shared_domain::contracts::Known;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::registration::RegistrationStatus;

/// Announces a registration's new status.
pub async fn registration_status(
    conn: &mut PgConnection,
    id: Uuid,
    event_id: Uuid,
    attendee_id: Uuid,
    status: RegistrationStatus,
    reason: Option<&str>,
    context: &EventContext,
) -> Result<(), event_bus::outbox::OutboxError> {
    let changed = RegistrationStatusChanged {
        registration_id: id,
        event_id,
        attendee_id,
        status: Known::of(&status),
        reason: reason.map(str::to_owned),
        changed_at: Utc::now(),
    };
    enqueue(conn, &changed, context).await.map(|_| ())
}

/// Announces a new (or reopened) registration: the seat request the events context
/// decides, and the `registered` status.
pub async fn seat_requested(
    conn: &mut PgConnection,
    id: Uuid,
    event_id: Uuid,
    attendee_id: Uuid,
    context: &EventContext,
) -> Result<(), event_bus::outbox::OutboxError> {
    let requested = RegistrationRequested {
        registration_id: id,
        event_id,
        attendee_id,
        requested_at: Utc::now(),
    };
    enqueue(conn, &requested, context).await?;
    let registered = RegistrationStatus::Registered;
    registration_status(conn, id, event_id, attendee_id, registered, None, context).await
}
