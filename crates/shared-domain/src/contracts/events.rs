//! Events published by the events context on `batbern.events.v1`.
//!
//! Event lifecycle events are keyed by event id; session events by session id; seat events
//! by event id, so an event's seat decisions arrive in the order they were taken.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{IntegrationEvent, Known};

/// The lifecycle status of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    Planning,
    TopicDefined,
    SpeakersInvited,
    AgendaDraft,
    Published,
    RegistrationOpen,
    RegistrationClosed,
    InProgress,
    Completed,
    Archived,
}

/// Where the organizers are in planning an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowState {
    TopicSelection,
    SpeakerBrainstorming,
    SpeakerAssignment,
    SpeakerOutreach,
    ContentCollection,
    QualityReview,
    SlotAssignment,
    AgendaFinalization,
    Published,
}

/// The kind of an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Keynote,
    Presentation,
    Workshop,
    PanelDiscussion,
    Networking,
    Break,
    Lunch,
}

/// A platform role a user is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Organizer,
    Speaker,
    Partner,
    Attendee,
}

/// Where the event-level review of a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Pending,
    InReview,
    Approved,
    RequiresChanges,
    Rejected,
    RevisionSubmitted,
}

/// An event moved from one status to another (every transition emits one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventStatusChanged {
    pub event_id: Uuid,
    pub from: Known<EventState>,
    pub to: Known<EventState>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// Organizers moved an event to another planning step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventWorkflowChanged {
    pub event_id: Uuid,
    pub from: Known<WorkflowState>,
    pub to: Known<WorkflowState>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// An event's agenda was published (newsletter trigger).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPublished {
    pub event_id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub capacity: i32,
    pub published_at: DateTime<Utc>,
    /// The sessions on the published agenda (their confirmed speakers reach `final_agenda`).
    #[serde(default)]
    pub sessions: Vec<Uuid>,
}

/// Registration for an event opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationOpened {
    pub event_id: Uuid,
    pub capacity: i32,
    pub registration_deadline: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
}

/// Registration for an event closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationClosed {
    pub event_id: Uuid,
    pub closed_at: DateTime<Utc>,
}

/// A session as the speakers context needs it (its read model of sessions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionSnapshot {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub title: String,
    pub session_type: Known<SessionKind>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub room: Option<String>,
    pub language: String,
    pub version: i64,
}

/// A session was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionCreated {
    #[serde(flatten)]
    pub session: SessionSnapshot,
}

/// A session changed; carries its state after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionUpdated {
    #[serde(flatten)]
    pub session: SessionSnapshot,
}

/// A session was cancelled; speakers can no longer be invited to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionCancelled {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub cancelled_at: DateTime<Utc>,
}

/// A session was placed in a slot of its event's agenda (by the automatic assignment or an
/// organizer's manual choice); its confirmed speakers move to `slot_assigned`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionScheduled {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub slot_number: i32,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub scheduled_at: DateTime<Utc>,
}

/// The agenda of a published event changed (a session edited, cancelled or moved to
/// another slot): its registered attendees are told once per change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaChanged {
    pub event_id: Uuid,
    pub changed_at: DateTime<Utc>,
}

/// Why a seat was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeatRefusal {
    /// Capacity reached: the registration is waitlisted.
    Full,
    /// Registration is not open (or its deadline passed): the registration is rejected.
    Closed,
}

/// A seat was reserved for a registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatReserved {
    pub event_id: Uuid,
    pub registration_id: Uuid,
    pub attendee_id: Uuid,
    pub seats_taken: i32,
    pub capacity: i32,
    pub reserved_at: DateTime<Utc>,
}

/// A seat request was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatRefused {
    pub event_id: Uuid,
    pub registration_id: Uuid,
    pub attendee_id: Uuid,
    pub reason: SeatRefusal,
    pub refused_at: DateTime<Utc>,
}

/// A held seat was released after a cancellation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatReleased {
    pub event_id: Uuid,
    pub registration_id: Uuid,
    pub seats_taken: i32,
    pub released_at: DateTime<Utc>,
}

/// An organizer raised an event's capacity; `capacity - seats_taken` seats are free now
/// and go to the waitlist first, oldest registration first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatsAdded {
    pub event_id: Uuid,
    pub capacity: i32,
    pub seats_taken: i32,
    pub added_at: DateTime<Utc>,
}

impl SeatsAdded {
    /// The seats nobody holds now.
    pub fn seats_free(&self) -> i32 {
        (self.capacity - self.seats_taken).max(0)
    }
}

/// An accepted speaker was not selected in overflow voting; the speakers context declines
/// the speaker's assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverflowSpeakerDeclined {
    pub event_id: Uuid,
    pub session_id: Uuid,
    pub speaker_id: Uuid,
    pub reason: String,
    pub declined_at: DateTime<Utc>,
}

/// A user was granted a platform role (optionally for one event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleGranted {
    pub role_id: Uuid,
    pub user_id: String,
    pub role: Known<RoleName>,
    pub event_id: Option<Uuid>,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
}

/// A user's platform role was revoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleRevoked {
    pub role_id: Uuid,
    pub user_id: String,
    pub role: Known<RoleName>,
    pub event_id: Option<Uuid>,
    pub revoked_by: String,
    pub revoked_at: DateTime<Utc>,
}

/// What other contexts show of an event (its name, date and place), announced when the
/// event is created and after every change; `version` orders the announcements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventDetailsChanged {
    pub event_id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub venue_name: String,
    pub venue_address: String,
    pub version: i64,
    pub changed_at: DateTime<Utc>,
}

macro_rules! events_event {
    ($ty:ty, $name:literal, $aggregate:literal, |$e:ident| $id:expr) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "events";
            const AGGREGATE_TYPE: &'static str = $aggregate;
            fn aggregate_id(&self) -> Uuid {
                let $e = self;
                $id
            }
        }
    };
}

events_event!(
    EventStatusChanged,
    "events.event.status_changed.v1",
    "event",
    |e| e.event_id
);
events_event!(
    EventWorkflowChanged,
    "events.event.workflow_changed.v1",
    "event",
    |e| e.event_id
);
events_event!(
    EventDetailsChanged,
    "events.event.details_changed.v1",
    "event",
    |e| e.event_id
);
events_event!(EventPublished, "events.event.published.v1", "event", |e| e
    .event_id);
events_event!(
    RegistrationOpened,
    "events.event.registration_opened.v1",
    "event",
    |e| e.event_id
);
events_event!(
    RegistrationClosed,
    "events.event.registration_closed.v1",
    "event",
    |e| e.event_id
);
events_event!(
    SessionCreated,
    "events.session.created.v1",
    "session",
    |e| e.session.session_id
);
events_event!(
    SessionUpdated,
    "events.session.updated.v1",
    "session",
    |e| e.session.session_id
);
events_event!(
    SessionCancelled,
    "events.session.cancelled.v1",
    "session",
    |e| e.session_id
);
events_event!(AgendaChanged, "events.agenda.changed.v1", "event", |e| e
    .event_id);
events_event!(
    SessionScheduled,
    "events.session.scheduled.v1",
    "session",
    |e| e.session_id
);
events_event!(SeatReserved, "events.seat.reserved.v1", "event", |e| e
    .event_id);
events_event!(SeatRefused, "events.seat.refused.v1", "event", |e| e
    .event_id);
events_event!(SeatReleased, "events.seat.released.v1", "event", |e| e
    .event_id);
events_event!(SeatsAdded, "events.seats.added.v1", "event", |e| e.event_id);
events_event!(
    OverflowSpeakerDeclined,
    "events.overflow_speaker.declined.v1",
    "event",
    |e| e.event_id
);
events_event!(RoleGranted, "events.role.granted.v1", "role", |e| e.role_id);
events_event!(RoleRevoked, "events.role.revoked.v1", "role", |e| e.role_id);

/// The quality review of a session took a step (keyed by session id); speakers hear of
/// `requires_changes` and `rejected` with the feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionReviewChanged {
    pub event_id: Uuid,
    pub session_id: Uuid,
    pub status: Known<ReviewState>,
    pub feedback: Option<String>,
    pub reviewer_id: String,
    pub changed_at: DateTime<Utc>,
}

events_event!(
    SessionReviewChanged,
    "events.session_review.changed.v1",
    "session",
    |e| e.session_id
);

/// A topic of the library was created or changed (keyed by topic id); carries its state
/// after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicChanged {
    pub topic_id: Uuid,
    pub title: String,
    /// `technical`, `management`, `soft_skills`, `industry_trends` or `tools_platforms`.
    pub category: String,
    pub is_active: bool,
    /// The partner influence score (0–100) after the change; absent without votes.
    pub partner_influence_score: Option<f64>,
    pub version: i64,
    pub changed_at: DateTime<Utc>,
}

/// An event uses a topic (organizers assigned it; keyed by topic id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicUsed {
    pub topic_id: Uuid,
    pub event_id: Uuid,
    /// The event's date.
    pub used_date: DateTime<Utc>,
    pub assigned_at: DateTime<Utc>,
}

events_event!(TopicChanged, "events.topic.changed.v1", "topic", |e| e
    .topic_id);
events_event!(TopicUsed, "events.topic.used.v1", "topic", |e| e.topic_id);
