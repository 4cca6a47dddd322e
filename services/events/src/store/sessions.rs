//! Session rows and their speakers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::Stored;
use shared_domain::contracts::events::SessionSnapshot;
use shared_domain::contracts::Known;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::session::{ExperienceLevel, PlacedSession, SessionFields, SessionType};

/// A session as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: Uuid,
    pub event_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub session_type: Stored<SessionType>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub room: Option<String>,
    pub capacity: Option<i32>,
    pub language: String,
    pub tags: Json<Vec<String>>,
    pub prerequisites: Json<Vec<String>>,
    pub target_audience: Json<Vec<ExperienceLevel>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl SessionRecord {
    /// The session as other contexts learn of it.
    pub fn snapshot(&self) -> SessionSnapshot {
        SessionSnapshot {
            session_id: self.id,
            event_id: self.event_id,
            title: self.title.clone(),
            session_type: Known::of(&*self.session_type),
            start_time: self.start_time,
            end_time: self.end_time,
            room: self.room.clone(),
            language: self.language.clone(),
            version: self.version,
        }
    }

    pub fn session_type(&self) -> SessionType {
        *self.session_type
    }

    /// The editable fields as stored.
    pub fn fields(&self) -> SessionFields {
        SessionFields {
            title: self.title.clone(),
            description: self.description.clone(),
            session_type: self.session_type(),
            start_time: self.start_time,
            end_time: self.end_time,
            room: self.room.clone(),
            capacity: self.capacity,
            language: self.language.clone(),
            tags: self.tags.0.clone(),
            prerequisites: self.prerequisites.0.clone(),
            target_audience: self.target_audience.0.clone(),
        }
    }
}

/// A speaker of a session as the events context knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionSpeakerRecord {
    #[serde(skip)]
    pub session_id: Uuid,
    pub speaker_id: Uuid,
    /// primary_speaker, co_speaker, moderator or panelist.
    pub role: String,
    pub presentation_title: Option<String>,
    pub is_confirmed: bool,
}

const COLUMNS: &str = "id, event_id, title, description, session_type, start_time, end_time, room, capacity, language, \
    tags, prerequisites, target_audience, cancelled_at, created_at, updated_at, version";

/// Inserts a validated session.
pub async fn insert_session(
    conn: &mut PgConnection,
    id: Uuid,
    event_id: Uuid,
    f: &SessionFields,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into sessions (id, event_id, title, description, session_type, start_time, end_time, room, capacity, \
         language, tags, prerequisites, target_audience, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(id)
    .bind(event_id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(Stored(f.session_type))
    .bind(f.start_time)
    .bind(f.end_time)
    .bind(&f.room)
    .bind(f.capacity)
    .bind(&f.language)
    .bind(Json(&f.tags))
    .bind(Json(&f.prerequisites))
    .bind(Json(&f.target_audience))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes new fields and bumps the version.
pub async fn update_session(
    conn: &mut PgConnection,
    id: Uuid,
    f: &SessionFields,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update sessions set title = $2, description = $3, session_type = $4, start_time = $5, end_time = $6, room = $7, \
         capacity = $8, language = $9, tags = $10, prerequisites = $11, target_audience = $12, updated_at = $13, \
         version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(Stored(f.session_type))
    .bind(f.start_time)
    .bind(f.end_time)
    .bind(&f.room)
    .bind(f.capacity)
    .bind(&f.language)
    .bind(Json(&f.tags))
    .bind(Json(&f.prerequisites))
    .bind(Json(&f.target_audience))
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Cancels a session and frees its slot.
pub async fn cancel_session(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query("update event_slots set assigned_session_id = null where assigned_session_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from slot_assignments where session_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("update sessions set cancelled_at = $2, updated_at = $2, version = version + 1 where id = $1 returning version")
        .bind(id)
        .bind(now)
        .fetch_one(conn)
        .await
}

/// Reads one session.
pub async fn fetch_session(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<SessionRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from sessions where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The sessions of an event by start time (cancelled ones too, flagged).
pub async fn list_sessions(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<SessionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from sessions where event_id = $1 order by start_time, id"
    ))
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// Where the event's live sessions are, for the room-overlap rule.
pub async fn placed_sessions(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<PlacedSession>, sqlx::Error> {
    type Row = (Uuid, Option<String>, DateTime<Utc>, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as("select id, room, start_time, end_time from sessions where event_id = $1 and cancelled_at is null")
        .bind(event_id)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, room, start_time, end_time)| PlacedSession {
            id,
            room,
            start_time,
            end_time,
        })
        .collect())
}

/// Replaces the speakers recorded for a session.
pub async fn replace_speakers(
    conn: &mut PgConnection,
    session_id: Uuid,
    speakers: &[SessionSpeakerRecord],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from session_speakers where session_id = $1")
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    for s in speakers {
        sqlx::query(
            "insert into session_speakers (session_id, speaker_id, role, presentation_title, is_confirmed, updated_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(session_id)
        .bind(s.speaker_id)
        .bind(&s.role)
        .bind(&s.presentation_title)
        .bind(s.is_confirmed)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The speakers of every session of an event.
pub async fn speakers_of_event(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<SessionSpeakerRecord>, sqlx::Error> {
    sqlx::query_as(
        "select ss.session_id, ss.speaker_id, ss.role, ss.presentation_title, ss.is_confirmed from session_speakers ss \
         join sessions s on s.id = ss.session_id where s.event_id = $1 order by ss.session_id, ss.role, ss.speaker_id",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// Records one speaker of a session (from the speakers context's invitation saga); a
/// session this service does not know is ignored.
pub async fn upsert_speaker(
    conn: &mut PgConnection,
    speaker: &SessionSpeakerRecord,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into session_speakers (session_id, speaker_id, role, presentation_title, is_confirmed, updated_at) \
         select $1, $2, $3, $4, $5, $6 where exists (select 1 from sessions where id = $1) \
         on conflict (session_id, speaker_id) do update set role = excluded.role, presentation_title = excluded.presentation_title, \
         is_confirmed = excluded.is_confirmed, updated_at = excluded.updated_at",
    )
    .bind(speaker.session_id)
    .bind(speaker.speaker_id)
    .bind(&speaker.role)
    .bind(&speaker.presentation_title)
    .bind(speaker.is_confirmed)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a speaker from a session (declined or withdrawn).
pub async fn remove_speaker(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from session_speakers where session_id = $1 and speaker_id = $2")
        .bind(session_id)
        .bind(speaker_id)
        .execute(conn)
        .await?;
    Ok(())
}
