//! Partner meetings, the partners' answers and attendance, and the meeting pack.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::meeting::{MeetingFields, MeetingType, RsvpStatus};

/// A meeting as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRecord {
    pub id: Uuid,
    pub meeting_type: Stored<MeetingType>,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    pub agenda: String,
    pub materials_generated: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One partner's invitation to a meeting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceRecord {
    pub meeting_id: Uuid,
    pub partner_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub rsvp_status: Stored<RsvpStatus>,
    pub rsvp_at: Option<DateTime<Utc>>,
    pub attended: Option<bool>,
}

/// One partner's part of the meeting pack.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaterialRecord {
    pub partner_id: Uuid,
    pub analytics: serde_json::Value,
    pub csv: String,
    pub generated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, meeting_type, title, scheduled_at, location, agenda, materials_generated, created_by, created_at";
const ATTENDANCE: &str = "meeting_id, partner_id, contact_id, rsvp_status, rsvp_at, attended";

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<MeetingFields>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into partner_meetings (id, meeting_type, title, scheduled_at, location, agenda, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(Stored(f.meeting_type))
    .bind(&f.title)
    .bind(f.scheduled_at)
    .bind(&f.location)
    .bind(&f.agenda)
    .bind(created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn invite(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    partner_id: Uuid,
    contact_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into partner_meeting_attendance (id, meeting_id, partner_id, contact_id) values ($1, $2, $3, $4) \
         on conflict (meeting_id, partner_id) do nothing",
    )
    .bind(shared_domain::new_id())
    .bind(meeting_id)
    .bind(partner_id)
    .bind(contact_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn fetch(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<MeetingRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partner_meetings where id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A page of meetings, latest first; for a partner only those it is invited to.
pub async fn list(
    db: impl PgExecutor<'_>,
    invited: Option<Uuid>,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<MeetingRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partner_meetings m where ($1::uuid is null or exists \
         (select 1 from partner_meeting_attendance a where a.meeting_id = m.id and a.partner_id = $1)) \
         and ($2::timestamptz is null or (scheduled_at, id) < ($2, $3)) order by scheduled_at desc, id desc limit $4"
    ))
    .bind(invited)
    .bind(after.map(|k| k.0))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The invitations of a meeting (of one partner only, when given).
pub async fn attendance(
    db: impl PgExecutor<'_>,
    meeting_id: Uuid,
    partner_id: Option<Uuid>,
) -> Result<Vec<AttendanceRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {ATTENDANCE} from partner_meeting_attendance where meeting_id = $1 and ($2::uuid is null or partner_id = $2) \
         order by partner_id"
    ))
    .bind(meeting_id)
    .bind(partner_id)
    .fetch_all(db)
    .await
}

/// Records a partner's answer; false when the partner is not invited.
pub async fn answer(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    partner_id: Uuid,
    status: RsvpStatus,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update partner_meeting_attendance set rsvp_status = $3, rsvp_at = $4 where meeting_id = $1 and partner_id = $2",
    )
    .bind(meeting_id)
    .bind(partner_id)
    .bind(Stored(status))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records whether a partner attended; false when the partner was not invited.
pub async fn record_attendance(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    partner_id: Uuid,
    attended: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update partner_meeting_attendance set attended = $3 where meeting_id = $1 and partner_id = $2",
    )
    .bind(meeting_id)
    .bind(partner_id)
    .bind(attended)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores one partner's part of the meeting pack (replacing an earlier one).
pub async fn store_material(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    partner_id: Uuid,
    analytics: &serde_json::Value,
    csv: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into partner_meeting_materials (meeting_id, partner_id, analytics, csv, generated_at) values ($1, $2, $3, $4, $5) \
         on conflict (meeting_id, partner_id) do update set analytics = excluded.analytics, csv = excluded.csv, generated_at = excluded.generated_at",
    )
    .bind(meeting_id)
    .bind(partner_id)
    .bind(analytics)
    .bind(csv)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update partner_meetings set materials_generated = true, updated_at = $2 where id = $1",
    )
    .bind(meeting_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The meeting pack (of one partner only, when given).
pub async fn materials(
    db: impl PgExecutor<'_>,
    meeting_id: Uuid,
    partner_id: Option<Uuid>,
) -> Result<Vec<MaterialRecord>, sqlx::Error> {
    sqlx::query_as(
        "select partner_id, analytics, csv, generated_at from partner_meeting_materials where meeting_id = $1 \
         and ($2::uuid is null or partner_id = $2) order by partner_id",
    )
    .bind(meeting_id)
    .bind(partner_id)
    .fetch_all(db)
    .await
}
