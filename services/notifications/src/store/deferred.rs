//! Parked events (see `deferred_events` in the migration).

use chrono::{DateTime, Utc};
use event_bus::Envelope;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

pub async fn park(
    conn: &mut PgConnection,
    envelope: &Envelope,
    waiting_for: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into deferred_events (event_id, envelope, waiting_for, deferred_at)
         values ($1, $2, $3, $4) on conflict (event_id) do nothing",
    )
    .bind(envelope.id)
    .bind(Json(envelope))
    .bind(waiting_for)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The oldest parked events, locked (another replica's scheduler skips them).
pub async fn lock_parked(
    conn: &mut PgConnection,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, Json<Envelope>)>> {
    sqlx::query_as(
        "select event_id, envelope from deferred_events order by deferred_at, event_id
         limit $1 for update skip locked",
    )
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

pub async fn record_retry(
    conn: &mut PgConnection,
    event_id: Uuid,
    waiting_for: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update deferred_events set attempts = attempts + 1, waiting_for = $2, retried_at = $3
         where event_id = $1",
    )
    .bind(event_id)
    .bind(waiting_for)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}
