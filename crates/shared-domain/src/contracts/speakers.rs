//! Events published by the speakers context on `batbern.speakers.v1` (the invitation saga).
//! Keyed by the session-speaker assignment, so one assignment's events stay in order.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Address, Identity, IntegrationEvent, Known, Language, Sealed};

/// The role of a speaker in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    PrimarySpeaker,
    CoSpeaker,
    Moderator,
    Panelist,
}

/// How much a speaker wants a window of the event day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceLevel {
    StronglyPreferred,
    Preferred,
    Acceptable,
    NotPreferred,
    Unavailable,
}

/// A speaker was invited to a session; `invitationLink` carries the signed, expiring
/// self-service token the notifications context mails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerInvited {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub role: Known<SpeakerRole>,
    pub presentation_title: Option<String>,
    pub invitation_link: String,
    pub expires_at: DateTime<Utc>,
    pub invited_at: DateTime<Utc>,
}

/// The speaker accepted the invitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerAccepted {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub role: Known<SpeakerRole>,
    pub presentation_title: Option<String>,
    pub accepted_at: DateTime<Utc>,
}

/// The speaker declined the invitation (organizers are informed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerDeclined {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub reason: Option<String>,
    pub declined_at: DateTime<Utc>,
}

/// Organizers withdrew an unanswered invitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationWithdrawn {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub withdrawn_at: DateTime<Utc>,
}

/// A window of the day and how much the speaker wants to present in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferenceWindow {
    /// Local time, e.g. `09:00`.
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    /// strongly_preferred, preferred, acceptable, not_preferred or unavailable.
    pub preference: Known<PreferenceLevel>,
}

/// Something a speaker needs in the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TechnicalNeed {
    pub id: String,
    pub requirement: String,
    pub is_required: bool,
    pub description: Option<String>,
}

/// A speaker submitted (or changed) their slot preferences for an event; the events
/// context's slot assignment uses them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotPreferencesSubmitted {
    pub speaker_id: Uuid,
    pub event_id: Uuid,
    pub preferred_time_slots: Vec<PreferenceWindow>,
    pub technical_requirements: Vec<TechnicalNeed>,
    pub cannot_present_after: Option<NaiveTime>,
    pub own_laptop_required: bool,
    pub special_equipment_needs: Option<String>,
    pub accessibility_requirements: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

impl IntegrationEvent for SlotPreferencesSubmitted {
    const EVENT_TYPE: &'static str = "speakers.slot_preferences.submitted.v1";
    const CONTEXT: &'static str = "speakers";
    const AGGREGATE_TYPE: &'static str = "speaker";
    fn aggregate_id(&self) -> Uuid {
        self.speaker_id
    }
}

/// A moderator asked a speaker to revise their content by a deadline (the notifications
/// context mails the feedback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangesRequested {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub feedback: String,
    pub revision_deadline: DateTime<Utc>,
    pub requested_at: DateTime<Utc>,
}

/// A speaker's contact details were set, at creation or by a change; the notifications
/// context keeps its recipient directory from it. Who the speaker is travels sealed with
/// the speaker's key, which erasure destroys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerProfileChanged {
    pub speaker_id: Uuid,
    pub identity: Sealed<Identity>,
    /// Language of mails.
    pub language: Known<Language>,
    /// False when the speaker opted out of optional mail.
    pub email_notifications: bool,
    /// The company the speaker speaks for (shown beside their name on a published agenda).
    #[serde(default)]
    pub company_id: Option<Uuid>,
    /// The public address of the speaker's profile photo (the newest photo uploaded to the
    /// content context, or one set on the profile); none without a photo.
    #[serde(default)]
    pub photo_url: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl IntegrationEvent for SpeakerProfileChanged {
    const EVENT_TYPE: &'static str = "speakers.speaker.profile_changed.v2";
    const CONTEXT: &'static str = "speakers";
    const AGGREGATE_TYPE: &'static str = "speaker";
    fn aggregate_id(&self) -> Uuid {
        self.speaker_id
    }
}

/// The first version of the profile announcement, with the identity in plain text. No
/// longer published; consumers still read it from outboxes written before sealing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerProfileChangedV1 {
    pub speaker_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub language: Known<Language>,
    pub email_notifications: bool,
    pub changed_at: DateTime<Utc>,
}

impl IntegrationEvent for SpeakerProfileChangedV1 {
    const EVENT_TYPE: &'static str = "speakers.speaker.profile_changed.v1";
    const CONTEXT: &'static str = "speakers";
    const AGGREGATE_TYPE: &'static str = "speaker";
    fn aggregate_id(&self) -> Uuid {
        self.speaker_id
    }
}

/// A speaker's personal data was erased (GDPR): every context forgets what it holds about
/// the person; assignments and agendas keep the id only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerErased {
    pub speaker_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

impl IntegrationEvent for SpeakerErased {
    const EVENT_TYPE: &'static str = "speakers.speaker.erased.v1";
    const CONTEXT: &'static str = "speakers";
    const AGGREGATE_TYPE: &'static str = "speaker";
    fn aggregate_id(&self) -> Uuid {
        self.speaker_id
    }
}

/// A speaker asked to move their profile to another address. Mail keeps going to the
/// current address until the new one is confirmed with the link mailed there; the current
/// address is told of the request. The new address travels sealed with the speaker's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerEmailChangeRequested {
    pub change_id: Uuid,
    pub speaker_id: Uuid,
    pub new_email: Sealed<Address>,
    pub confirmation_token: String,
    pub expires_at: DateTime<Utc>,
    pub requested_at: DateTime<Utc>,
}

impl IntegrationEvent for SpeakerEmailChangeRequested {
    const EVENT_TYPE: &'static str = "speakers.speaker.email_change_requested.v2";
    const CONTEXT: &'static str = "speakers";
    const AGGREGATE_TYPE: &'static str = "speaker";
    fn aggregate_id(&self) -> Uuid {
        self.speaker_id
    }
}

/// A speaker submitted the material of an assignment (the first submission or a revision);
/// it stops the deadline reminders of the notifications context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialSubmitted {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    /// 1 for the first submission, counting up with each revision.
    pub revision: i32,
    pub submitted_at: DateTime<Utc>,
}

/// A moderator approved a speaker's submitted content: the approved abstract (and photo)
/// is what the published agenda shows for the speaker's session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentApproved {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    /// The approved revision.
    pub revision: i32,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub photo_url: Option<String>,
    pub approved_at: DateTime<Utc>,
}

macro_rules! speakers_event {
    ($ty:ty, $name:literal) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "speakers";
            const AGGREGATE_TYPE: &'static str = "session_speaker";
            fn aggregate_id(&self) -> Uuid {
                self.assignment_id
            }
        }
    };
}

speakers_event!(SpeakerInvited, "speakers.speaker.invited.v1");
speakers_event!(SpeakerAccepted, "speakers.speaker.accepted.v1");
speakers_event!(SpeakerDeclined, "speakers.speaker.declined.v1");
speakers_event!(InvitationWithdrawn, "speakers.invitation.withdrawn.v1");
speakers_event!(MaterialSubmitted, "speakers.material.submitted.v1");
speakers_event!(
    ContentApproved,
    "speakers.quality_review.content_approved.v1"
);
speakers_event!(
    ChangesRequested,
    "speakers.quality_review.changes_requested.v1"
);
