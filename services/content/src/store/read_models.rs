//! What the content service knows of other contexts: sessions and their events (is the
//! event published?), the speakers who accepted a session, erased speakers.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A session as known here.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct KnownSession {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub cancelled: bool,
    pub event_published: bool,
}

/// Records a session (a newer version only).
pub async fn upsert_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    event_id: Uuid,
    title: &str,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into known_sessions (session_id, event_id, title, version) values ($1, $2, $3, $4) \
         on conflict (session_id) do update set event_id = excluded.event_id, title = excluded.title, version = excluded.version \
         where known_sessions.version < excluded.version",
    )
    .bind(session_id)
    .bind(event_id)
    .bind(title)
    .bind(version)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks a session cancelled.
pub async fn cancel_session(conn: &mut PgConnection, session_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("update known_sessions set cancelled = true where session_id = $1")
        .bind(session_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Records whether an event is published.
pub async fn set_event_published(
    conn: &mut PgConnection,
    event_id: Uuid,
    published: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into known_events (event_id, published) values ($1, $2) \
         on conflict (event_id) do update set published = excluded.published",
    )
    .bind(event_id)
    .bind(published)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Session `id` with its event's publication state.
pub async fn session(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<KnownSession>, sqlx::Error> {
    sqlx::query_as(
        "select s.session_id, s.event_id, s.cancelled, coalesce(e.published, false) as event_published \
         from known_sessions s left join known_events e on e.event_id = s.event_id where s.session_id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether event `id` is known here.
pub async fn event_known(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "select coalesce(e.published, false) from (select $1::uuid as id) q \
         left join known_events e on e.event_id = q.id \
         where e.event_id is not null or exists (select 1 from known_sessions where event_id = $1)",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Records whether a speaker speaks in a session (accepted, or no longer); one who left
/// in the overflow stays out.
pub async fn set_speaking(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
    active: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into session_speakers (session_id, speaker_id, active) values ($1, $2, $3) \
         on conflict (session_id, speaker_id) \
         do update set active = excluded.active and not session_speakers.left_in_overflow",
    )
    .bind(session_id)
    .bind(speaker_id)
    .bind(active)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records that the overflow voting did not select a speaker: they no longer speak in the
/// session, whatever arrives later.
pub async fn leave_in_overflow(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into session_speakers (session_id, speaker_id, active, left_in_overflow) \
         values ($1, $2, false, true) \
         on conflict (session_id, speaker_id) do update set active = false, left_in_overflow = true",
    )
    .bind(session_id)
    .bind(speaker_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Whether `speaker_id` accepted session `session_id`.
pub async fn speaks_in(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
    speaker_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "select exists (select 1 from session_speakers where session_id = $1 and speaker_id = $2 and active)",
    )
    .bind(session_id)
    .bind(speaker_id)
    .fetch_one(db)
    .await
}

/// Records an erased speaker (nothing is uploaded for them again); false when known.
pub async fn erase_speaker(
    conn: &mut PgConnection,
    speaker_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("insert into erased_speakers (speaker_id, erased_at) values ($1, $2) on conflict do nothing")
        .bind(speaker_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `speaker_id` was erased.
pub async fn speaker_erased(
    db: impl PgExecutor<'_>,
    speaker_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from erased_speakers where speaker_id = $1)")
        .bind(speaker_id)
        .fetch_one(db)
        .await
}
