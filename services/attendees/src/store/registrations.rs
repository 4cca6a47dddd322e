//! Registration rows and the waitlist.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::registration::NewRegistration;
use crate::domain::registration::RegistrationStatus::{self, Registered, Waitlisted};

/// A registration as stored, with its place in the waitlist when it is waitlisted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRecord {
    pub id: Uuid,
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub registration_date: DateTime<Utc>,
    pub status: Stored<RegistrationStatus>,
    pub refusal_reason: Option<String>,
    pub session_preferences: Json<Vec<Uuid>>,
    pub special_requests: Option<String>,
    pub attendance_confirmed: bool,
    pub actual_attendance: bool,
    pub promoted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub waitlist_position: Option<i64>,
}

/// Selects registrations with their waitlist position; `$1` binds the waitlisted status.
const SELECT: &str = "select r.id, r.event_id, r.attendee_id, r.registration_date, r.status, r.refusal_reason, r.session_preferences, \
    r.special_requests, r.attendance_confirmed, r.actual_attendance, r.promoted_at, r.updated_at, \
    case when r.status = $1 then (select count(*) from event_registrations w where w.event_id = r.event_id \
      and w.status = $1 and (w.registration_date, w.id) <= (r.registration_date, r.id)) end as waitlist_position \
    from event_registrations r";

/// Inserts `new` as a `registered` registration under `id`; when the attendee already
/// has one for the event, inserts nothing and returns that one, locked.
pub async fn insert_registration(
    conn: &mut PgConnection,
    id: Uuid,
    new: &NewRegistration,
    now: DateTime<Utc>,
) -> Result<Option<RegistrationRecord>, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into event_registrations (id, event_id, attendee_id, registration_date, status, session_preferences, special_requests, updated_at) \
         values ($1, $2, $3, $4, $7, $5, $6, $4) on conflict (event_id, attendee_id) do nothing",
    )
    .bind(id)
    .bind(new.event_id)
    .bind(new.attendee_id)
    .bind(now)
    .bind(Json(&new.session_preferences))
    .bind(&new.special_requests)
    .bind(Stored(Registered))
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    lock_by_attendee(conn, new.event_id, new.attendee_id).await
}

/// The registration of an attendee for an event, locked.
pub async fn lock_by_attendee(
    conn: &mut PgConnection,
    event_id: Uuid,
    attendee_id: Uuid,
) -> Result<Option<RegistrationRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} where r.event_id = $2 and r.attendee_id = $3 for update of r"
    ))
    .bind(Stored(Waitlisted))
    .bind(event_id)
    .bind(attendee_id)
    .fetch_optional(conn)
    .await
}

/// One registration.
pub async fn fetch_registration(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<RegistrationRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} where r.id = $2"))
        .bind(Stored(Waitlisted))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// One registration, locked.
pub async fn lock_registration(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<RegistrationRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} where r.id = $2 for update of r"))
        .bind(Stored(Waitlisted))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The event's waitlisted registrations, oldest first.
pub async fn waitlisted_of(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "select id from event_registrations where event_id = $1 and status = $2 \
         order by registration_date, id",
    )
    .bind(event_id)
    .bind(Stored(Waitlisted))
    .fetch_all(conn)
    .await
}

/// The attendee's registrations that still hold or wait for a seat of an event that has
/// not taken place (or whose date is not known here yet), locked.
pub async fn lock_upcoming(
    conn: &mut PgConnection,
    attendee_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<RegistrationRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} left join event_calendar c on c.event_id = r.event_id \
         where r.attendee_id = $2 and r.status = any($3) \
         and (c.event_date is null or c.event_date = 'epoch' or c.event_date > $4) \
         order by r.id for update of r"
    ))
    .bind(Stored(Waitlisted))
    .bind(attendee_id)
    .bind(
        [Registered, Waitlisted, RegistrationStatus::Confirmed]
            .map(|s| Stored(s).to_string())
            .to_vec(),
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Moves a registration to `status` (with an optional refusal reason).
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: RegistrationStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update event_registrations set status = $2, refusal_reason = $3, updated_at = $4 where id = $1")
        .bind(id)
        .bind(Stored(status))
        .bind(reason)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Re-opens a cancelled or rejected registration as a new request (back of the queue)
/// under the id `new_id`, so late seat answers to the earlier attempt find nothing.
pub async fn reopen(
    conn: &mut PgConnection,
    id: Uuid,
    new_id: Uuid,
    new: &NewRegistration,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update event_registrations set id = $5, status = $6, refusal_reason = null, registration_date = $2, promoted_at = null, \
         session_preferences = $3, special_requests = $4, updated_at = $2 where id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(Json(&new.session_preferences))
    .bind(&new.special_requests)
    .bind(new_id)
    .bind(Stored(Registered))
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the oldest waitlisted registration of the event off the queue for promotion
/// (skipping rows another transaction is promoting).
pub async fn promote_oldest(
    conn: &mut PgConnection,
    event_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    sqlx::query_as(
        "update event_registrations set status = $3, promoted_at = $2, updated_at = $2 where id = \
         (select id from event_registrations where event_id = $1 and status = $4 order by registration_date, id \
          limit 1 for update skip locked) returning id, attendee_id",
    )
    .bind(event_id)
    .bind(now)
    .bind(Stored(Registered))
    .bind(Stored(Waitlisted))
    .fetch_optional(conn)
    .await
}

/// Registrations filtered by event, attendee and status, after the id `after`.
pub async fn list_registrations(
    db: impl PgExecutor<'_>,
    event_id: Option<Uuid>,
    attendee_id: Option<Uuid>,
    status: Option<RegistrationStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<RegistrationRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} where ($2::uuid is null or r.event_id = $2) and ($3::uuid is null or r.attendee_id = $3) \
         and ($4::text is null or r.status = $4) and ($5::uuid is null or r.id > $5) order by r.id limit $6"
    ))
    .bind(Stored(Waitlisted))
    .bind(event_id)
    .bind(attendee_id)
    .bind(status.map(Stored))
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}
