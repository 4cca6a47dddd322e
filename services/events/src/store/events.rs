//! Event rows.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::event::{EventFields, EventSlotConfiguration, EventType, Venue};
use crate::domain::seats::SeatInventory;
use crate::domain::status::{EventStatus, EventWorkflowState};
use crate::domain::EventError;

/// An event as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRecord {
    pub id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub description: Option<String>,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub event_type: Stored<EventType>,
    pub venue_name: String,
    pub venue_address: String,
    pub venue_capacity: i32,
    pub capacity: i32,
    pub current_attendee_count: i32,
    pub status: Stored<EventStatus>,
    pub workflow_state: Stored<EventWorkflowState>,
    pub slot_configuration: Json<EventSlotConfiguration>,
    pub organizer_id: String,
    pub metadata: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl EventRecord {
    pub fn status(&self) -> EventStatus {
        *self.status
    }

    pub fn workflow_state(&self) -> EventWorkflowState {
        *self.workflow_state
    }

    /// What a seat decision looks at.
    pub fn seats(&self) -> SeatInventory {
        SeatInventory {
            status: self.status(),
            registration_deadline: self.registration_deadline,
            capacity: self.capacity,
            taken: self.current_attendee_count,
        }
    }

    /// The editable fields as stored.
    pub fn fields(&self) -> EventFields {
        EventFields {
            event_number: self.event_number,
            title: self.title.clone(),
            description: self.description.clone(),
            event_date: self.event_date,
            registration_deadline: self.registration_deadline,
            event_type: *self.event_type,
            venue: Venue {
                name: self.venue_name.clone(),
                address: self.venue_address.clone(),
                capacity: self.venue_capacity,
            },
            capacity: self.capacity,
            slot_configuration: self.slot_configuration.0.clone(),
            metadata: self.metadata.0.clone(),
        }
    }
}

pub(super) const COLUMNS: &str = "id, event_number, title, description, event_date, registration_deadline, event_type, venue_name, \
    venue_address, venue_capacity, capacity, current_attendee_count, status, workflow_state, slot_configuration, \
    organizer_id, metadata, created_at, updated_at, published_at, version";

/// Inserts a new event in `planning` / `topic_selection`; a taken number is refused.
pub async fn insert_event(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &Valid<EventFields>,
    organizer_id: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), EventError>, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into events (id, event_number, title, description, event_date, registration_deadline, event_type, \
         venue_name, venue_address, venue_capacity, capacity, status, workflow_state, slot_configuration, organizer_id, \
         metadata, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $16, \
         $17, $12, $13, $14, $15, $15) on conflict (event_number) do nothing",
    )
    .bind(id)
    .bind(fields.event_number)
    .bind(&fields.title)
    .bind(&fields.description)
    .bind(fields.event_date)
    .bind(fields.registration_deadline)
    .bind(Stored(fields.event_type))
    .bind(&fields.venue.name)
    .bind(&fields.venue.address)
    .bind(fields.venue.capacity)
    .bind(fields.capacity)
    .bind(Json(&fields.slot_configuration))
    .bind(organizer_id)
    .bind(Json(&fields.metadata))
    .bind(now)
    .bind(Stored(EventStatus::Planning))
    .bind(Stored(EventWorkflowState::TopicSelection))
    .execute(conn)
    .await?;
    Ok(if inserted.rows_affected() == 1 {
        Ok(())
    } else {
        Err(EventError::NumberTaken(fields.event_number))
    })
}

/// Reads one event.
pub async fn fetch_event(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<EventRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from events where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reads one event and locks it until the transaction ends (serializes its writers: seat
/// reservations, session placement, transitions).
pub async fn lock_event(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<EventRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from events where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Events by date, optionally only those in `statuses`, after the keyset `after`.
pub async fn list_events(
    db: impl PgExecutor<'_>,
    statuses: Option<&[String]>,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<EventRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from events where ($1::text[] is null or status = any($1)) \
         and ($2::timestamptz is null or (event_date, id) > ($2, $3)) order by event_date, id limit $4"
    ))
    .bind(statuses)
    .bind(after.map(|k| k.0))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Writes new fields; a number taken by another event is refused.
pub async fn update_event(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &Valid<EventFields>,
    now: DateTime<Utc>,
) -> Result<Result<i64, EventError>, sqlx::Error> {
    let taken: Option<Uuid> =
        sqlx::query_scalar("select id from events where event_number = $1 and id <> $2")
            .bind(fields.event_number)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Ok(Err(EventError::NumberTaken(fields.event_number)));
    }
    let version = sqlx::query_scalar(
        "update events set event_number = $2, title = $3, description = $4, event_date = $5, registration_deadline = $6, \
         event_type = $7, venue_name = $8, venue_address = $9, venue_capacity = $10, capacity = $11, \
         slot_configuration = $12, metadata = $13, updated_at = $14, version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(fields.event_number)
    .bind(&fields.title)
    .bind(&fields.description)
    .bind(fields.event_date)
    .bind(fields.registration_deadline)
    .bind(Stored(fields.event_type))
    .bind(&fields.venue.name)
    .bind(&fields.venue.address)
    .bind(fields.venue.capacity)
    .bind(fields.capacity)
    .bind(Json(&fields.slot_configuration))
    .bind(Json(&fields.metadata))
    .bind(now)
    .fetch_one(conn)
    .await;
    match version {
        Ok(version) => Ok(Ok(version)),
        // A concurrent update took the number between the check and this update.
        Err(e)
            if e.as_database_error().and_then(|d| d.constraint())
                == Some("events_event_number_unique") =>
        {
            Ok(Err(EventError::NumberTaken(fields.event_number)))
        }
        Err(e) => Err(e),
    }
}

/// Moves the event's status and workflow state; sets `published_at` on first publication.
pub async fn update_states(
    conn: &mut PgConnection,
    id: Uuid,
    status: EventStatus,
    workflow: EventWorkflowState,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update events set status = $2, workflow_state = $3, updated_at = $4, version = version + 1, \
         published_at = case when $5 then coalesce(published_at, $4) else published_at end \
         where id = $1 returning version",
    )
    .bind(id)
    .bind(Stored(status))
    .bind(Stored(workflow))
    .bind(now)
    .bind(status == EventStatus::Published)
    .fetch_one(conn)
    .await
}
