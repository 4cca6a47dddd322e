//! Events published by the partners context on `batbern.partners.v1`.
//!
//! Partner events are keyed by partner id; votes by topic id, so a topic's votes arrive in
//! the order they were cast; meeting invitations by meeting id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Address, Identity, IntegrationEvent, Known, Language, Sealed};

/// A partner's sponsorship level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnershipTier {
    Bronze,
    Silver,
    Gold,
    Platinum,
    Strategic,
}

impl PartnershipTier {
    /// How much a topic vote of this tier counts (the table in the partners API
    /// documentation): bronze and silver 1, gold 2, platinum and strategic 3.
    pub fn vote_weight(self) -> u32 {
        match self {
            Self::Bronze | Self::Silver => 1,
            Self::Gold => 2,
            Self::Platinum | Self::Strategic => 3,
        }
    }
}

/// A partner was created or changed, or became active or inactive; carries its state after
/// the change, so a consumer never needs an earlier event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerChanged {
    pub partner_id: Uuid,
    pub company_id: Uuid,
    pub tier: Known<PartnershipTier>,
    pub is_active: bool,
    pub start_date: DateTime<Utc>,
    pub end_date: Option<DateTime<Utc>>,
    pub version: i64,
    pub changed_at: DateTime<Utc>,
}

/// A partner voted on a topic (a first vote or a changed one): `value` is 1 (no interest)
/// to 5 (strong interest), `tier` the partner's tier when it voted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicVoteCast {
    pub topic_id: Uuid,
    pub partner_id: Uuid,
    pub tier: Known<PartnershipTier>,
    pub value: u8,
    pub cast_at: DateTime<Utc>,
}

/// A partner withdrew its vote on a topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicVoteWithdrawn {
    pub topic_id: Uuid,
    pub partner_id: Uuid,
    pub withdrawn_at: DateTime<Utc>,
}

/// Organizers accepted a partner's topic suggestion: the topic library gains `topic_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicSuggestionAccepted {
    pub suggestion_id: Uuid,
    pub partner_id: Uuid,
    pub topic_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// A topic category of the events context (`technical`, `management`, …).
    pub category: String,
    pub accepted_by: String,
    pub accepted_at: DateTime<Utc>,
}

/// A partner contact's details were set; the notifications context keeps its recipient
/// directory from it. Who the contact is travels sealed with the contact's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerContactChanged {
    pub contact_id: Uuid,
    pub partner_id: Uuid,
    pub identity: Sealed<Identity>,
    pub language: Known<Language>,
    /// Whether the contact is the partner's primary one (at most one is); mails about the
    /// partner as a whole go to it. Absent from older events, which read as not primary.
    #[serde(default)]
    pub is_primary: bool,
    pub changed_at: DateTime<Utc>,
}

/// A partner contact was removed and their personal data erased.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerContactErased {
    pub contact_id: Uuid,
    pub partner_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// A partner integration moved a contact to a new address: the notifications context mails
/// the confirmation link (a path under the public base URL with this token) to the new
/// address and tells the current one. The new address travels sealed with the contact's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerContactEmailChangeRequested {
    pub change_id: Uuid,
    pub contact_id: Uuid,
    pub partner_id: Uuid,
    pub new_email: Sealed<Address>,
    pub confirmation_token: String,
    pub expires_at: DateTime<Utc>,
    pub requested_at: DateTime<Utc>,
}

/// The kind of a partner meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingType {
    Spring,
    Autumn,
    AdHoc,
}

/// A partner's primary contact is invited to a partner meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerMeetingInvited {
    pub meeting_id: Uuid,
    pub partner_id: Uuid,
    pub contact_id: Uuid,
    /// The display name of the partner's company.
    pub company_name: String,
    pub meeting_type: Known<MeetingType>,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    pub agenda: String,
    pub invited_at: DateTime<Utc>,
}

/// A partner's webhook subscription was disabled after its deliveries kept failing; the
/// partner's primary contact is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerWebhookDisabled {
    pub subscription_id: Uuid,
    pub partner_id: Uuid,
    pub company_id: Uuid,
    /// Where the deliveries went.
    pub url: String,
    /// Deliveries that failed in a row (each after all its retries).
    pub failed_deliveries: i32,
    pub disabled_at: DateTime<Utc>,
}

macro_rules! partners_event {
    ($ty:ty, $name:literal, $aggregate:literal, |$e:ident| $id:expr) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "partners";
            const AGGREGATE_TYPE: &'static str = $aggregate;
            fn aggregate_id(&self) -> Uuid {
                let $e = self;
                $id
            }
        }
    };
}

partners_event!(
    PartnerChanged,
    "partners.partner.changed.v1",
    "partner",
    |e| e.partner_id
);
partners_event!(TopicVoteCast, "partners.topic_vote.cast.v1", "topic", |e| e
    .topic_id);
partners_event!(
    TopicVoteWithdrawn,
    "partners.topic_vote.withdrawn.v1",
    "topic",
    |e| e.topic_id
);
partners_event!(
    TopicSuggestionAccepted,
    "partners.topic_suggestion.accepted.v1",
    "topic_suggestion",
    |e| e.suggestion_id
);
partners_event!(
    PartnerContactChanged,
    "partners.contact.changed.v1",
    "contact",
    |e| e.contact_id
);
partners_event!(
    PartnerContactErased,
    "partners.contact.erased.v1",
    "contact",
    |e| e.contact_id
);
partners_event!(
    PartnerContactEmailChangeRequested,
    "partners.contact.email_change_requested.v1",
    "contact",
    |e| e.contact_id
);
partners_event!(
    PartnerMeetingInvited,
    "partners.meeting.invited.v1",
    "meeting",
    |e| e.meeting_id
);
partners_event!(
    PartnerWebhookDisabled,
    "partners.webhook.disabled.v1",
    "webhook_subscription",
    |e| e.subscription_id
);
