//! The seat inventory: one reservation row per registration holding a seat, and the
//! event's `current_attendee_count`, changed together under the event's row lock.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::events::{EventRecord, COLUMNS};

/// An event locked for a seat request, and whether the requesting registration holds a
/// seat already.
#[derive(Debug, sqlx::FromRow)]
pub struct SeatRequest {
    #[sqlx(flatten)]
    pub event: EventRecord,
    pub seat_held: bool,
}

/// Locks event `event_id` until the transaction ends (serializing its seat decisions) and
/// says whether `registration_id` holds a seat now, in one round trip.
pub async fn lock_for_request(
    conn: &mut PgConnection,
    event_id: Uuid,
    registration_id: Uuid,
) -> Result<Option<SeatRequest>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS}, exists (select 1 from seat_reservations s where s.registration_id = $2 and s.released_at is null) as seat_held \
         from events where id = $1 for update"
    ))
    .bind(event_id)
    .bind(registration_id)
    .fetch_optional(conn)
    .await
}

/// Reserves a seat (the caller holds the event's row lock and decided); returns seats taken.
/// The reservation and the count change in one statement.
pub async fn reserve(
    conn: &mut PgConnection,
    event_id: Uuid,
    registration_id: Uuid,
    attendee_id: Uuid,
    now: DateTime<Utc>,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "with reserved as (insert into seat_reservations (registration_id, event_id, attendee_id, reserved_at) values ($1, $2, $3, $4) \
           on conflict (registration_id) do update set reserved_at = excluded.reserved_at, released_at = null) \
         update events set current_attendee_count = current_attendee_count + 1 where id = $2 returning current_attendee_count",
    )
    .bind(registration_id)
    .bind(event_id)
    .bind(attendee_id)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Releases the seat of `registration_id` if it holds one; returns seats taken after.
pub async fn release(
    conn: &mut PgConnection,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<i32>, sqlx::Error> {
    let event_id: Option<Uuid> = sqlx::query_scalar(
        "update seat_reservations set released_at = $2 where registration_id = $1 and released_at is null returning event_id",
    )
    .bind(registration_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(event_id) = event_id else {
        return Ok(None);
    };
    let taken = sqlx::query_scalar("update events set current_attendee_count = current_attendee_count - 1 where id = $1 returning current_attendee_count")
        .bind(event_id)
        .fetch_one(conn)
        .await?;
    Ok(Some(taken))
}
