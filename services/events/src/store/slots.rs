//! The slot grid, slot assignments and the speakers' slot preferences.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::agenda::{SessionState, SlotState};
use crate::domain::slots::{PlannedSlot, SlotType};

/// A slot with its assignment record, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlotRecord {
    pub id: Uuid,
    pub event_id: Uuid,
    pub slot_number: i32,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub slot_type: Stored<SlotType>,
    pub is_flexible: bool,
    pub technical_requirements: Json<Vec<TechnicalRequirement>>,
    pub assigned_session_id: Option<Uuid>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub assigned_by: Option<String>,
    pub automatically_assigned: Option<bool>,
    pub manual_override: Option<bool>,
    pub conflict_resolution: Option<String>,
}

impl SlotRecord {
    pub fn slot_type(&self) -> SlotType {
        *self.slot_type
    }
}

/// A technical requirement of a slot or a speaker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TechnicalRequirement {
    pub id: String,
    pub requirement: String,
    pub is_required: bool,
    pub description: Option<String>,
}

/// Replaces the event's slot grid (and with it every assignment).
pub async fn replace_slots(
    conn: &mut PgConnection,
    event_id: Uuid,
    slots: &[PlannedSlot],
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from event_slots where event_id = $1")
        .bind(event_id)
        .execute(&mut *conn)
        .await?;
    for slot in slots {
        sqlx::query("insert into event_slots (id, event_id, slot_number, start_time, end_time, slot_type) values ($1, $2, $3, $4, $5, $6)")
            .bind(shared_domain::new_id())
            .bind(event_id)
            .bind(slot.slot_number)
            .bind(slot.start)
            .bind(slot.end)
            .bind(Stored(slot.slot_type))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The event's slots in order, with their assignments.
pub async fn list_slots(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<SlotRecord>, sqlx::Error> {
    sqlx::query_as(
        "select s.id, s.event_id, s.slot_number, s.start_time, s.end_time, s.slot_type, s.is_flexible, \
         s.technical_requirements, s.assigned_session_id, a.assigned_at, a.assigned_by, a.automatically_assigned, \
         a.manual_override, a.conflict_resolution from event_slots s left join slot_assignments a on a.slot_id = s.id \
         where s.event_id = $1 order by s.slot_number",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// Updates a slot's flexibility and technical capabilities.
pub async fn update_slot(
    conn: &mut PgConnection,
    slot_id: Uuid,
    is_flexible: bool,
    requirements: &[TechnicalRequirement],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update event_slots set is_flexible = $2, technical_requirements = $3 where id = $1",
    )
    .bind(slot_id)
    .bind(is_flexible)
    .bind(Json(requirements))
    .execute(conn)
    .await?;
    Ok(())
}

/// How an assignment came about.
pub struct AssignmentOrigin<'a> {
    pub assigned_by: &'a str,
    pub automatic: bool,
    pub manual_override: bool,
    pub conflict_resolution: Option<&'a str>,
}

/// Puts `session_id` into `slot_id`, taking it out of any other slot first.
pub async fn assign(
    conn: &mut PgConnection,
    slot_id: Uuid,
    session_id: Uuid,
    origin: &AssignmentOrigin<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update event_slots set assigned_session_id = null where assigned_session_id = $1")
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from slot_assignments where session_id = $1 or slot_id = $2")
        .bind(session_id)
        .bind(slot_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update event_slots set assigned_session_id = $2 where id = $1")
        .bind(slot_id)
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into slot_assignments (slot_id, session_id, assigned_at, assigned_by, automatically_assigned, manual_override, \
         conflict_resolution) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(slot_id)
    .bind(session_id)
    .bind(now)
    .bind(origin.assigned_by)
    .bind(origin.automatic)
    .bind(origin.manual_override)
    .bind(origin.conflict_resolution)
    .execute(conn)
    .await?;
    Ok(())
}

/// Clears every assignment of the event that was not a manual override.
pub async fn clear_automatic(conn: &mut PgConnection, event_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update event_slots s set assigned_session_id = null from slot_assignments a \
         where a.slot_id = s.id and s.event_id = $1 and not a.manual_override",
    )
    .bind(event_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from slot_assignments a using event_slots s where a.slot_id = s.id and s.event_id = $1 and not a.manual_override")
        .bind(event_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a speaker's slot preferences for an event (replacing earlier ones).
pub async fn upsert_preferences(
    conn: &mut PgConnection,
    event_id: Uuid,
    speaker_id: Uuid,
    preferences: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into speaker_slot_preferences (event_id, speaker_id, preferences, submitted_at, last_updated_at) \
         values ($1, $2, $3, $4, $4) on conflict (event_id, speaker_id) \
         do update set preferences = excluded.preferences, last_updated_at = excluded.last_updated_at",
    )
    .bind(event_id)
    .bind(speaker_id)
    .bind(preferences)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every speaker's preferences for the event: `(speaker id, preferences, submitted, updated)`.
pub async fn preferences_of_event(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<(Uuid, serde_json::Value, DateTime<Utc>, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as("select speaker_id, preferences, submitted_at, last_updated_at from speaker_slot_preferences where event_id = $1 order by speaker_id")
        .bind(event_id)
        .fetch_all(db)
        .await
}

/// The agenda as the publication rule sees it.
pub async fn slot_states(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<SlotState>, sqlx::Error> {
    let slots = list_slots(&mut *conn, event_id).await?;
    let sessions = super::sessions::list_sessions(&mut *conn, event_id).await?;
    let speakers = super::sessions::speakers_of_event(&mut *conn, event_id).await?;
    Ok(slots
        .iter()
        .map(|slot| SlotState {
            slot_number: slot.slot_number,
            slot_type: slot.slot_type(),
            session: slot
                .assigned_session_id
                .and_then(|id| sessions.iter().find(|s| s.id == id))
                .map(|s| SessionState {
                    id: s.id,
                    title: s.title.clone(),
                    speakers: speakers
                        .iter()
                        .filter(|sp| sp.session_id == s.id)
                        .map(|sp| (sp.speaker_id, sp.is_confirmed))
                        .collect(),
                }),
        })
        .collect())
}

/// The sessions placed in the event's slots.
pub async fn scheduled_sessions(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "select assigned_session_id from event_slots where event_id = $1 and assigned_session_id is not null \
         order by slot_number",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await
}
