//! The event read model, fed by the events context's `EventDetailsChanged`: what an
//! invitation shows of the event a speaker is invited to.

use chrono::{DateTime, Utc};
use shared_domain::contracts::events::EventDetailsChanged;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// An event as the speakers context knows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnownEvent {
    pub event_id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub event_date: DateTime<Utc>,
    pub venue_name: String,
    pub venue_address: String,
}

/// Stores an event's latest details; an older version never overwrites a newer one.
pub async fn upsert_event(
    conn: &mut PgConnection,
    e: &EventDetailsChanged,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into event_directory (event_id, event_number, title, event_date, venue_name, venue_address, version) \
         values ($1, $2, $3, $4, $5, $6, $7) \
         on conflict (event_id) do update set event_number = excluded.event_number, title = excluded.title, \
         event_date = excluded.event_date, venue_name = excluded.venue_name, venue_address = excluded.venue_address, \
         version = excluded.version where event_directory.version < excluded.version",
    )
    .bind(e.event_id)
    .bind(e.event_number)
    .bind(&e.title)
    .bind(e.event_date)
    .bind(&e.venue_name)
    .bind(&e.venue_address)
    .bind(e.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// A known event.
pub async fn fetch_event(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Option<KnownEvent>, sqlx::Error> {
    sqlx::query_as(
        "select event_id, event_number, title, event_date, venue_name, venue_address from event_directory where event_id = $1",
    )
    .bind(event_id)
    .fetch_optional(db)
    .await
}
