//! The session read model, fed by the events context's session events.

use shared_domain::contracts::events::SessionSnapshot;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A session as the speakers context knows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnownSession {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub title: String,
    pub start_time: chrono::DateTime<chrono::Utc>,
    pub end_time: chrono::DateTime<chrono::Utc>,
    pub cancelled: bool,
}

/// Stores a session's latest state; an older version never overwrites a newer one.
pub async fn upsert_session(
    conn: &mut PgConnection,
    s: &SessionSnapshot,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into session_directory (session_id, event_id, title, session_type, start_time, end_time, version) values ($1, $2, $3, $4, $5, $6, $7) \
         on conflict (session_id) do update set title = excluded.title, session_type = excluded.session_type, start_time = excluded.start_time, \
         end_time = excluded.end_time, version = excluded.version where session_directory.version < excluded.version",
    )
    .bind(s.session_id)
    .bind(s.event_id)
    .bind(&s.title)
    .bind(s.session_type.to_string())
    .bind(s.start_time)
    .bind(s.end_time)
    .bind(s.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a session cancelled.
pub async fn cancel_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update session_directory set cancelled_at = $2 where session_id = $1")
        .bind(session_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// A known session.
pub async fn fetch_session(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
) -> Result<Option<KnownSession>, sqlx::Error> {
    sqlx::query_as("select session_id, event_id, title, start_time, end_time, cancelled_at is not null as cancelled from session_directory where session_id = $1")
        .bind(session_id)
        .fetch_optional(db)
        .await
}
