//! Parked events (see `deferred_events` in the migrations): retried with backoff, and in
//! order per aggregate. Parking is the bus's business, so its times are wall-clock time
//! whatever clock the notifications themselves go by.

use chrono::{DateTime, Duration, Utc};
use event_bus::Envelope;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

/// Whether an earlier event of `envelope`'s aggregate is parked; if so, this one must wait
/// behind it to keep the aggregate's order.
pub async fn is_blocked(conn: &mut PgConnection, envelope: &Envelope) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from deferred_events where subject = $1)")
        .bind(&envelope.subject)
        .fetch_one(conn)
        .await
}

pub async fn park(
    conn: &mut PgConnection,
    envelope: &Envelope,
    waiting_for: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into deferred_events (event_id, envelope, subject, waiting_for, deferred_at, next_attempt_at)
         values ($1, $2, $3, $4, $5, $5) on conflict (event_id) do nothing",
    )
    .bind(envelope.id)
    .bind(Json(envelope))
    .bind(&envelope.subject)
    .bind(waiting_for)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Due parked events that are the oldest of their aggregate, oldest first, locked
/// (another replica's scheduler skips them).
pub async fn lock_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, Json<Envelope>)>> {
    sqlx::query_as(
        "select d.event_id, d.envelope from deferred_events d
         where d.next_attempt_at <= $1
           and not exists (select 1 from deferred_events e
                           where e.subject = d.subject and (e.deferred_at, e.event_id) < (d.deferred_at, d.event_id))
         order by d.deferred_at, d.event_id
         limit $2 for update of d skip locked",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn unpark(conn: &mut PgConnection, event_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from deferred_events where event_id = $1")
        .bind(event_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The wait before the next try after `attempts` tries: 1 s doubling, at most an hour.
pub fn retry_delay(attempts: i32) -> Duration {
    Duration::seconds((1i64 << attempts.clamp(0, 12)).min(3600))
}

pub async fn record_retry(
    conn: &mut PgConnection,
    event_id: Uuid,
    waiting_for: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let attempts: i32 = sqlx::query_scalar(
        "update deferred_events set attempts = attempts + 1, waiting_for = $2, retried_at = $3
         where event_id = $1 returning attempts",
    )
    .bind(event_id)
    .bind(waiting_for)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("update deferred_events set next_attempt_at = $2 where event_id = $1")
        .bind(event_id)
        .bind(now + retry_delay(attempts))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Removes what is parked about an erased person.
pub async fn forget_person(conn: &mut PgConnection, person: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from deferred_events where envelope->'payload'->>'attendeeId' = $1::text")
        .bind(person)
        .execute(conn)
        .await
        .map(|_| ())
}

/// How many events are parked.
pub async fn count(conn: &mut PgConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar("select count(*) from deferred_events")
        .fetch_one(conn)
        .await
}
