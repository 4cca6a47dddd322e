//! Request and response bodies of the events API (camelCase; unknown request fields refused).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slot_assignment::{Conflict, PreferredTimeSlot, Reason};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::event::{EventFields, EventSlotConfiguration, EventType, Venue};
use crate::domain::session::{ExperienceLevel, SessionFields, SessionType, SpeakerRole};
use crate::domain::slots::SlotType;
use crate::domain::status::{EventStatus, EventWorkflowState};
use crate::store::events::EventRecord;
use crate::store::sessions::{SessionRecord, SessionSpeakerRecord};
use crate::store::slots::{SlotRecord, TechnicalRequirement};

/// Body of `POST /api/v1/events`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEventRequest {
    #[schema(minimum = 1, maximum = 100_000)]
    pub event_number: i32,
    pub title: String,
    pub description: Option<String>,
    /// Start of the event (its first slot starts here by default).
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub event_type: EventType,
    pub venue: Venue,
    /// Seats for attendees; at most the venue's capacity.
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: i32,
    /// Defaults to the event type's configuration.
    pub slot_configuration: Option<EventSlotConfiguration>,
    #[serde(default = "empty_object")]
    pub metadata: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

impl From<CreateEventRequest> for EventFields {
    fn from(r: CreateEventRequest) -> Self {
        EventFields {
            event_number: r.event_number,
            title: r.title,
            description: r.description,
            event_date: r.event_date,
            registration_deadline: r.registration_deadline,
            event_type: r.event_type,
            venue: r.venue,
            capacity: r.capacity,
            slot_configuration: r
                .slot_configuration
                .unwrap_or_else(|| EventSlotConfiguration::default_for(r.event_type)),
            metadata: r.metadata,
        }
    }
}

/// Body of `PATCH /api/v1/events/{id}` (absent fields stay unchanged).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEventRequest {
    #[schema(minimum = 1, maximum = 100_000)]
    pub event_number: Option<i32>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub event_date: Option<DateTime<Utc>>,
    pub registration_deadline: Option<DateTime<Utc>>,
    pub event_type: Option<EventType>,
    pub venue: Option<Venue>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: Option<i32>,
    pub slot_configuration: Option<EventSlotConfiguration>,
    pub metadata: Option<serde_json::Value>,
}

impl UpdateEventRequest {
    /// The fields after this patch; a changed event type without a new configuration takes
    /// the type's default configuration.
    pub fn apply_to(self, current: EventFields) -> EventFields {
        let event_type = self.event_type.unwrap_or(current.event_type);
        let slot_configuration = match (self.slot_configuration, event_type == current.event_type) {
            (Some(config), _) => config,
            (None, true) => current.slot_configuration,
            (None, false) => EventSlotConfiguration::default_for(event_type),
        };
        EventFields {
            event_number: self.event_number.unwrap_or(current.event_number),
            title: self.title.unwrap_or(current.title),
            description: service_kit::patch::apply(current.description, self.description),
            event_date: self.event_date.unwrap_or(current.event_date),
            registration_deadline: self
                .registration_deadline
                .unwrap_or(current.registration_deadline),
            event_type,
            venue: self.venue.unwrap_or(current.venue),
            capacity: self.capacity.unwrap_or(current.capacity),
            slot_configuration,
            metadata: self.metadata.unwrap_or(current.metadata),
        }
    }
}

/// An event as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventResponse {
    pub id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub description: Option<String>,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub event_type: EventType,
    pub slot_configuration: EventSlotConfiguration,
    pub venue: Venue,
    pub status: EventStatus,
    pub workflow_state: EventWorkflowState,
    pub organizer_id: String,
    pub capacity: i32,
    pub current_attendee_count: i32,
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Also the `ETag`.
    pub version: i64,
}

impl From<EventRecord> for EventResponse {
    fn from(r: EventRecord) -> Self {
        let fields = r.fields();
        EventResponse {
            id: r.id,
            status: r.status(),
            workflow_state: r.workflow_state(),
            event_number: fields.event_number,
            title: fields.title,
            description: fields.description,
            event_date: fields.event_date,
            registration_deadline: fields.registration_deadline,
            event_type: fields.event_type,
            slot_configuration: fields.slot_configuration,
            venue: fields.venue,
            organizer_id: r.organizer_id,
            capacity: r.capacity,
            current_attendee_count: r.current_attendee_count,
            metadata: fields.metadata,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
            version: r.version,
        }
    }
}

/// Body of `POST /api/v1/events/{id}/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChangeRequest {
    pub status: EventStatus,
    /// Publishes although some speakers' content is not approved yet: why (organizers
    /// only; kept in the log of the status change).
    #[serde(default)]
    pub override_content_review: Option<String>,
}

/// Body of `POST /api/v1/events/{id}/workflow`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowChangeRequest {
    pub workflow_state: EventWorkflowState,
}

/// Query of `GET /api/v1/events`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListEventsQuery {
    /// Only events in this status.
    pub status: Option<EventStatus>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Body of `POST /api/v1/events/{id}/slots/generate`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateSlotsRequest {
    /// Talk slots to lay out; defaults to the configuration's `maxSlots`.
    pub slot_count: Option<i32>,
    /// First slot's start; defaults to `eventDate`.
    pub starts_at: Option<DateTime<Utc>>,
}

/// Body of `PATCH /api/v1/events/{id}/slots/{slotId}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSlotRequest {
    pub is_flexible: Option<bool>,
    pub technical_requirements: Option<Vec<TechnicalRequirement>>,
}

/// The assignment record of a slot.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotAssignmentResponse {
    pub slot_id: Uuid,
    pub session_id: Uuid,
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: String,
    pub automatically_assigned: bool,
    pub manual_override: bool,
    pub conflict_resolution: Option<String>,
}

/// A slot of the event's grid.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    pub slot_number: i32,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub slot_type: SlotType,
    pub assigned_session_id: Option<Uuid>,
    pub is_flexible: bool,
    pub technical_requirements: Vec<TechnicalRequirement>,
    pub slot_assignment: Option<SlotAssignmentResponse>,
}

impl From<SlotRecord> for SlotResponse {
    fn from(r: SlotRecord) -> Self {
        let slot_assignment = match (r.assigned_session_id, r.assigned_at, r.assigned_by.clone()) {
            (Some(session_id), Some(assigned_at), Some(assigned_by)) => {
                Some(SlotAssignmentResponse {
                    slot_id: r.id,
                    session_id,
                    assigned_at,
                    assigned_by,
                    automatically_assigned: r.automatically_assigned.unwrap_or(false),
                    manual_override: r.manual_override.unwrap_or(false),
                    conflict_resolution: r.conflict_resolution.clone(),
                })
            }
            _ => None,
        };
        SlotResponse {
            id: r.id,
            event_id: r.event_id,
            slot_number: r.slot_number,
            start_time: r.start_time,
            end_time: r.end_time,
            slot_type: r.slot_type(),
            assigned_session_id: r.assigned_session_id,
            is_flexible: r.is_flexible,
            technical_requirements: r.technical_requirements.0,
            slot_assignment,
        }
    }
}

/// Body of `POST /api/v1/events/{id}/sessions` and `PUT`-like updates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionRequest {
    pub title: String,
    pub description: Option<String>,
    pub session_type: SessionType,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub room: Option<String>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: Option<i32>,
    /// Language tag, `de` by default.
    pub language: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
    #[serde(default)]
    pub target_audience: Vec<ExperienceLevel>,
}

impl From<SessionRequest> for SessionFields {
    fn from(r: SessionRequest) -> Self {
        SessionFields {
            title: r.title,
            description: r.description,
            session_type: r.session_type,
            start_time: r.start_time,
            end_time: r.end_time,
            room: r.room,
            capacity: r.capacity,
            language: r.language.unwrap_or_else(|| "de".into()),
            tags: r.tags,
            prerequisites: r.prerequisites,
            target_audience: r.target_audience,
        }
    }
}

/// A session as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub session_type: SessionType,
    pub speakers: Vec<SessionSpeakerRecord>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub room: Option<String>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: Option<i32>,
    pub tags: Vec<String>,
    pub prerequisites: Vec<String>,
    pub target_audience: Vec<ExperienceLevel>,
    pub language: String,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl SessionResponse {
    /// The response for `record` with the speakers among `speakers` that belong to it.
    pub fn new(record: SessionRecord, speakers: &[SessionSpeakerRecord]) -> Self {
        SessionResponse {
            id: record.id,
            event_id: record.event_id,
            session_type: *record.session_type,
            speakers: speakers
                .iter()
                .filter(|s| s.session_id == record.id)
                .cloned()
                .collect(),
            title: record.title,
            description: record.description,
            start_time: record.start_time,
            end_time: record.end_time,
            room: record.room,
            capacity: record.capacity,
            tags: record.tags.0,
            prerequisites: record.prerequisites.0,
            target_audience: record.target_audience.0,
            language: record.language,
            cancelled_at: record.cancelled_at,
            created_at: record.created_at,
            updated_at: record.updated_at,
            version: record.version,
        }
    }

    /// The session as `organizer` or anyone else sees it: others see only the speakers
    /// who confirmed.
    pub fn seen_by(mut self, organizer: bool) -> Self {
        if !organizer {
            self.speakers.retain(|s| s.is_confirmed);
        }
        self
    }
}

/// One speaker of a session as recorded by organizers (the same facts the speakers
/// context publishes when a speaker accepts).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionSpeakerRequest {
    pub speaker_id: Uuid,
    /// primary_speaker, co_speaker, moderator or panelist.
    pub role: SpeakerRole,
    pub presentation_title: Option<String>,
    pub is_confirmed: bool,
}

/// A speaker's slot preferences for an event (the shape of `SpeakerSlotPreferences`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotPreferencesRequest {
    #[serde(default)]
    pub preferred_time_slots: Vec<PreferredTimeSlot>,
    #[serde(default)]
    pub technical_requirements: Vec<TechnicalRequirement>,
    /// Local time, e.g. `16:00`.
    #[schema(value_type = Option<String>)]
    pub cannot_present_after: Option<chrono::NaiveTime>,
    #[serde(default)]
    pub own_laptop_required: bool,
    pub special_equipment_needs: Option<String>,
    pub accessibility_requirements: Option<String>,
}

/// Stored preferences of one speaker.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotPreferencesResponse {
    pub speaker_id: Uuid,
    pub event_id: Uuid,
    #[serde(flatten)]
    pub preferences: SlotPreferencesRequest,
    pub submitted_at: DateTime<Utc>,
    pub last_updated_at: DateTime<Utc>,
}

/// One placed session of an automatic assignment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlacedSessionResponse {
    pub session_id: Uuid,
    pub slot_id: Uuid,
    /// 4 strongly preferred … 1 not preferred (minus 1 for theory after noon).
    pub score: i64,
}

/// A session the assignment could not place, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnplacedSessionResponse {
    pub session_id: Uuid,
    pub reason: Reason,
}

/// Result of `POST /api/v1/events/{id}/slots/auto-assign`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoAssignResponse {
    pub assigned: Vec<PlacedSessionResponse>,
    pub unassigned: Vec<UnplacedSessionResponse>,
    pub total_score: i64,
    /// Slots kept because organizers placed them by hand.
    pub kept_manual: Vec<Uuid>,
    pub slots: Vec<SlotResponse>,
}

impl AutoAssignResponse {
    /// The answer to an automatic assignment with the slot grid after it.
    pub fn new(
        result: &slot_assignment::Assignment,
        kept_manual: Vec<Uuid>,
        slots: Vec<SlotResponse>,
    ) -> Self {
        AutoAssignResponse {
            assigned: result
                .pairs
                .iter()
                .map(|(session_id, slot_id, score)| PlacedSessionResponse {
                    session_id: *session_id,
                    slot_id: *slot_id,
                    score: *score,
                })
                .collect(),
            unassigned: result
                .unassigned
                .iter()
                .map(|(session_id, reason)| UnplacedSessionResponse {
                    session_id: *session_id,
                    reason: *reason,
                })
                .collect(),
            total_score: result.total_score,
            kept_manual,
            slots,
        }
    }
}

/// Body of `PUT /api/v1/events/{id}/slots/{slotId}/assignment`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManualAssignmentRequest {
    pub session_id: Uuid,
    /// Why the organizer overrides despite conflicts.
    pub conflict_resolution: Option<String>,
}

/// Result of a manual assignment: the slot and every rule it breaks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManualAssignmentResponse {
    pub slot: SlotResponse,
    pub conflicts: Vec<Conflict>,
}
