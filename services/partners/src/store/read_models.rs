//! What the partners context knows of other contexts: the topic library and its uses
//! (events), the events held (events) and attendance by company (attendees).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A library topic as known here.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopicEntry {
    pub topic_id: Uuid,
    pub title: String,
    pub is_active: bool,
    pub partner_influence_score: Option<f64>,
    pub first_used_at: Option<DateTime<Utc>>,
}

/// Keeps a topic as announced; an older version never overwrites a newer one.
pub async fn upsert_topic(
    conn: &mut PgConnection,
    e: &shared_domain::contracts::events::TopicChanged,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into topic_library (topic_id, title, category, is_active, partner_influence_score, version) values ($1, $2, $3, $4, $5, $6) \
         on conflict (topic_id) do update set title = excluded.title, category = excluded.category, is_active = excluded.is_active, \
         partner_influence_score = excluded.partner_influence_score, version = excluded.version where topic_library.version < excluded.version",
    )
    .bind(e.topic_id)
    .bind(&e.title)
    .bind(&e.category)
    .bind(e.is_active)
    .bind(e.partner_influence_score)
    .bind(e.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an event's use of a topic (closing its votes).
pub async fn record_use(
    conn: &mut PgConnection,
    e: &shared_domain::contracts::events::TopicUsed,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into topic_uses (topic_id, event_id, used_date) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(e.topic_id)
    .bind(e.event_id)
    .bind(e.used_date)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update topic_library set first_used_at = least(coalesce(first_used_at, $2), $2) where topic_id = $1",
    )
    .bind(e.topic_id)
    .bind(e.assigned_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn topic(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<TopicEntry>, sqlx::Error> {
    sqlx::query_as(
        "select topic_id, title, is_active, partner_influence_score, first_used_at from topic_library where topic_id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Keeps an event's title and date as announced.
pub async fn upsert_event(
    conn: &mut PgConnection,
    event_id: Uuid,
    title: &str,
    event_date: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into event_calendar (event_id, title, event_date, version) values ($1, $2, $3, $4) \
         on conflict (event_id) do update set title = excluded.title, event_date = excluded.event_date, version = excluded.version \
         where event_calendar.version <= excluded.version",
    )
    .bind(event_id)
    .bind(title)
    .bind(event_date)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an event published (creating its entry when its details were not seen yet).
pub async fn publish_event(
    conn: &mut PgConnection,
    event_id: Uuid,
    title: &str,
    event_date: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into event_calendar (event_id, title, event_date, published, version) values ($1, $2, $3, true, 0) \
         on conflict (event_id) do update set published = true",
    )
    .bind(event_id)
    .bind(title)
    .bind(event_date)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps a recorded attendance (the latest record of a registration wins).
pub async fn record_attendance(
    conn: &mut PgConnection,
    e: &shared_domain::contracts::attendees::AttendanceRecorded,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into employee_attendance (registration_id, event_id, attendee_id, company_id, attended, recorded_at) \
         values ($1, $2, $3, $4, $5, $6) on conflict (registration_id) do update set company_id = excluded.company_id, \
         attended = excluded.attended, recorded_at = excluded.recorded_at where employee_attendance.recorded_at <= excluded.recorded_at",
    )
    .bind(e.registration_id)
    .bind(e.event_id)
    .bind(e.attendee_id)
    .bind(e.company_id)
    .bind(e.attended)
    .bind(e.recorded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets who an erased attendee was; their attendance still counts for their company.
pub async fn forget_attendee(
    conn: &mut PgConnection,
    attendee_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("update employee_attendance set attendee_id = null where attendee_id = $1")
        .bind(attendee_id)
        .execute(conn)
        .await?;
    Ok(())
}
