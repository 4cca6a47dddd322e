//! Content engagement rows, their per-item aggregates, and the event calendar read model.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use service_kit::Stored;
use shared_domain::contracts::events::EventState;
use shared_domain::contracts::Known;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::calendar::CalendarEntry;
use crate::domain::registration::RegistrationStatus;

/// One engagement to record.
pub struct NewEngagement<'a> {
    pub attendee_id: Uuid,
    pub content_type: &'a str,
    pub content_id: Uuid,
    pub engagement_type: &'a str,
    pub value: Option<f64>,
}

/// The hour a view or download counts in: one per attendee, item and hour.
fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}

/// Records a view or download (once per hour), or sets the attendee's rating of the item.
pub async fn record(
    conn: &mut PgConnection,
    e: &NewEngagement<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    insert(conn, shared_domain::new_id(), e, now).await
}

/// Records an engagement another context announced (a download the content context
/// counted): the announcement's id becomes the row's, so an announcement applied twice is
/// recorded once.
pub async fn record_announced(
    conn: &mut PgConnection,
    announcement_id: Uuid,
    e: &NewEngagement<'_>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    insert(conn, announcement_id, e, at).await
}

/// Inserts engagement `id`: a rating replaces the attendee's earlier one; a view or
/// download already counted in its hour (or an id already recorded) changes nothing.
async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    e: &NewEngagement<'_>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (conflict, hour) = if e.engagement_type == "rating" {
        (
            "on conflict (attendee_id, content_type, content_id) where engagement_type = 'rating' \
             do update set engagement_value = excluded.engagement_value, engaged_at = excluded.engaged_at",
            None,
        )
    } else {
        ("on conflict do nothing", Some(hour_of(at)))
    };
    sqlx::query(&format!(
        "insert into content_engagement (id, attendee_id, content_type, content_id, engagement_type, engagement_value, engaged_at, engaged_hour) \
         values ($1, $2, $3, $4, $5, $6::numeric, $7, $8) {conflict}"
    ))
    .bind(id)
    .bind(e.attendee_id)
    .bind(e.content_type)
    .bind(e.content_id)
    .bind(e.engagement_type)
    .bind(e.value)
    .bind(at)
    .bind(hour)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(views, downloads, ratings, average rating)` of one content item.
pub async fn summary(
    db: impl PgExecutor<'_>,
    content_type: &str,
    content_id: Uuid,
) -> Result<(i64, i64, i64, Option<f64>), sqlx::Error> {
    sqlx::query_as(
        "select count(*) filter (where engagement_type = 'view'), count(*) filter (where engagement_type = 'download'), \
         count(*) filter (where engagement_type = 'rating'), (avg(engagement_value) filter (where engagement_type = 'rating'))::float8 \
         from content_engagement where content_type = $1 and content_id = $2",
    )
    .bind(content_type)
    .bind(content_id)
    .fetch_one(db)
    .await
}

/// Keeps an event's date and status (from the events context).
pub async fn upsert_calendar(
    conn: &mut PgConnection,
    event_id: Uuid,
    event_date: Option<DateTime<Utc>>,
    status: &Known<EventState>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into event_calendar (event_id, event_date, status) values ($1, coalesce($2, 'epoch'::timestamptz), $3) \
         on conflict (event_id) do update set event_date = coalesce($2, event_calendar.event_date), status = excluded.status",
    )
    .bind(event_id)
    .bind(event_date)
    .bind(Stored(status))
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps an event's date and registration deadline (from its details). An event first
/// known this way is in planning, as every event starts; its status changes follow.
pub async fn upsert_calendar_details(
    conn: &mut PgConnection,
    event_id: Uuid,
    event_date: DateTime<Utc>,
    registration_deadline: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into event_calendar (event_id, event_date, status, registration_deadline) values ($1, $2, $3, $4) \
         on conflict (event_id) do update set event_date = $2, registration_deadline = $4",
    )
    .bind(event_id)
    .bind(event_date)
    .bind(Stored(EventState::Planning))
    .bind(registration_deadline)
    .execute(conn)
    .await?;
    Ok(())
}

type CalendarRow = (Stored<Known<EventState>>, Option<DateTime<Utc>>);

/// What is known of an event's registration.
pub async fn calendar_entry(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Option<CalendarEntry>, sqlx::Error> {
    let row: Option<CalendarRow> = sqlx::query_as(
        "select status, registration_deadline from event_calendar where event_id = $1",
    )
    .bind(event_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(status, registration_deadline)| CalendarEntry {
        status: status.0,
        registration_deadline,
    }))
}

/// The date of an event, when known.
pub async fn event_date(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar("select event_date from event_calendar where event_id = $1")
        .bind(event_id)
        .fetch_optional(db)
        .await
}

/// Marks attendance of a registration; returns `(attendee id, company id, event id)` when it
/// was a confirmed or attended registration.
pub async fn set_attendance(
    conn: &mut PgConnection,
    registration_id: Uuid,
    attended: bool,
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, Option<Uuid>, Uuid)>, sqlx::Error> {
    sqlx::query_as(
        "update event_registrations r set actual_attendance = $2, status = case when $2 then $4 else $5 end, updated_at = $3 \
         from attendees a where r.id = $1 and a.id = r.attendee_id and r.status in ($4, $5) \
         returning r.attendee_id, a.company_id, r.event_id",
    )
    .bind(registration_id)
    .bind(attended)
    .bind(now)
    .bind(Stored(RegistrationStatus::Attended))
    .bind(Stored(RegistrationStatus::Confirmed))
    .fetch_optional(conn)
    .await
}

/// The attendee confirms they will attend.
pub async fn confirm_attendance(
    conn: &mut PgConnection,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update event_registrations set attendance_confirmed = true, updated_at = $2 where id = $1",
    )
    .bind(registration_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
