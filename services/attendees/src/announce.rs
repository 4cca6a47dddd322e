//! The events the attendees context announces from more than one place (registration
//! handlers and seat reactions; profile handlers and the address-change link), written
//! into the caller's transaction.

use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::{person_keys, ApiError};
use shared_domain::contracts::attendees::{
    AttendeeProfileChanged, RegistrationCancelled, RegistrationRequested, RegistrationStatusChanged,
};
use shared_domain::contracts::{Identity, Known};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::attendee::AttendeeFields;
use crate::domain::registration::{cancel, Cancellation, RegistrationStatus};
use crate::store;
use crate::store::registrations::RegistrationRecord;

/// Cancels `registration` as its attendee's cancellation and an erasure do: the status
/// becomes `cancelled` (with `reason`), a held or requested seat is given back
/// (`RegistrationCancelled`) and the new status announced. Nothing happens to one already
/// cancelled; one attended or rejected is refused.
pub async fn cancellation(
    conn: &mut PgConnection,
    registration: &RegistrationRecord,
    reason: Option<&str>,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let outcome = cancel(*registration.status)?;
    if outcome == Cancellation::AlreadyCancelled {
        return Ok(());
    }
    let (id, event_id, attendee_id) = (
        registration.id,
        registration.event_id,
        registration.attendee_id,
    );
    let status = RegistrationStatus::Cancelled;
    store::registrations::set_status(conn, id, status, reason, now).await?;
    if outcome == Cancellation::ReleaseSeat {
        let cancelled = RegistrationCancelled {
            registration_id: id,
            event_id,
            attendee_id,
            cancelled_at: now,
        };
        enqueue(&mut *conn, &cancelled, context).await?;
    }
    registration_status(conn, id, event_id, attendee_id, status, reason, context).await?;
    Ok(())
}

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
    let company_id: Option<Uuid> =
        sqlx::query_scalar("select company_id from attendees where id = $1")
            .bind(attendee_id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    let changed = RegistrationStatusChanged {
        registration_id: id,
        event_id,
        attendee_id,
        status: Known::of(&status),
        reason: reason.map(str::to_owned),
        changed_at: Utc::now(),
        company_id,
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

/// Announces an attendee's profile as it is now; who they are travels sealed with their key.
pub async fn profile(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &AttendeeFields,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let identity = Identity {
        email: fields.email.clone(),
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
    };
    let changed = AttendeeProfileChanged {
        attendee_id: id,
        identity: person_keys::seal(conn, id, &identity).await?,
        language: Known::named(&fields.language),
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    Ok(())
}
