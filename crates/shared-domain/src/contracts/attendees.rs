//! Events published by the attendees context on `batbern.attendees.v1` that other contexts
//! react to (the registration saga's requests).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Address, Identity, IntegrationEvent, Known, Language, Sealed};

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    Registered,
    Waitlisted,
    Confirmed,
    Cancelled,
    Attended,
    Rejected,
}

/// Where a newsletter subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionState {
    Pending,
    Confirmed,
    Unsubscribed,
}

/// An attendee asks for a seat (a new registration, or a waitlisted one being promoted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationRequested {
    pub registration_id: Uuid,
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub requested_at: DateTime<Utc>,
}

/// A registration was cancelled; a held seat is to be released.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationCancelled {
    pub registration_id: Uuid,
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub cancelled_at: DateTime<Utc>,
}

/// The reason of a registration cancelled because its attendee asked to be erased: the
/// seat goes back and nobody is mailed.
pub const ERASED: &str = "erased";

/// A registration reached a new status (for the attendee's mail and for analytics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationStatusChanged {
    pub registration_id: Uuid,
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub status: Known<RegistrationState>,
    /// Why a registration was rejected (`closed`), that it was promoted from the waitlist,
    /// or that it was cancelled because its attendee was erased ([`ERASED`]).
    pub reason: Option<String>,
    pub changed_at: DateTime<Utc>,
    /// The attendee's company, when they named one (a partner's integration hears of its
    /// employees' registrations).
    #[serde(default)]
    pub company_id: Option<Uuid>,
}

/// An attendee's contact details were set, at creation or by a change; the notifications
/// context keeps its recipient directory from it. Who the attendee is travels sealed with
/// the attendee's key, which erasure destroys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeProfileChanged {
    pub attendee_id: Uuid,
    pub identity: Sealed<Identity>,
    /// Language of mails.
    pub language: Known<Language>,
    pub changed_at: DateTime<Utc>,
}

impl IntegrationEvent for AttendeeProfileChanged {
    const EVENT_TYPE: &'static str = "attendees.attendee.profile_changed.v2";
    const CONTEXT: &'static str = "attendees";
    const AGGREGATE_TYPE: &'static str = "attendee";
    fn aggregate_id(&self) -> Uuid {
        self.attendee_id
    }
}

/// The first version of the profile announcement, with the identity in plain text. No
/// longer published; consumers still read it from outboxes written before sealing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeProfileChangedV1 {
    pub attendee_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub language: Known<Language>,
    pub changed_at: DateTime<Utc>,
}

impl IntegrationEvent for AttendeeProfileChangedV1 {
    const EVENT_TYPE: &'static str = "attendees.attendee.profile_changed.v1";
    const CONTEXT: &'static str = "attendees";
    const AGGREGATE_TYPE: &'static str = "attendee";
    fn aggregate_id(&self) -> Uuid {
        self.attendee_id
    }
}

/// An attendee's personal data was erased; every context removes or anonymises what it
/// holds about the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeErased {
    pub attendee_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

impl IntegrationEvent for AttendeeErased {
    const EVENT_TYPE: &'static str = "attendees.attendee.erased.v1";
    const CONTEXT: &'static str = "attendees";
    const AGGREGATE_TYPE: &'static str = "attendee";
    fn aggregate_id(&self) -> Uuid {
        self.attendee_id
    }
}

/// Organizers recorded whether a registered attendee attended (partner analytics count
/// attendance by company from these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceRecorded {
    pub registration_id: Uuid,
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub company_id: Option<Uuid>,
    pub attended: bool,
    pub recorded_at: DateTime<Utc>,
}

/// An attendee asked for the newsletter: the notifications context mails the confirmation
/// link (double opt-in). The tokens are single-use secrets of that mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewsletterConfirmationRequested {
    pub subscription_id: Uuid,
    pub attendee_id: Uuid,
    pub confirmation_token: String,
    pub unsubscribe_token: String,
    pub requested_at: DateTime<Utc>,
}

/// A newsletter subscription was confirmed or ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewsletterSubscriptionChanged {
    pub subscription_id: Uuid,
    pub attendee_id: Uuid,
    pub status: Known<SubscriptionState>,
    pub changed_at: DateTime<Utc>,
}

/// An attendee asked to move their profile to another address. Mail keeps going to the
/// current address until the new one is confirmed with the link mailed there; the current
/// address is told of the request. The new address travels sealed with the attendee's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeEmailChangeRequested {
    pub change_id: Uuid,
    pub attendee_id: Uuid,
    pub new_email: Sealed<Address>,
    pub confirmation_token: String,
    pub expires_at: DateTime<Utc>,
    pub requested_at: DateTime<Utc>,
}

macro_rules! newsletter_event {
    ($ty:ty, $name:literal) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "attendees";
            const AGGREGATE_TYPE: &'static str = "attendee";
            fn aggregate_id(&self) -> Uuid {
                self.attendee_id
            }
        }
    };
}

newsletter_event!(
    NewsletterConfirmationRequested,
    "attendees.newsletter.confirmation_requested.v1"
);
newsletter_event!(
    AttendeeEmailChangeRequested,
    "attendees.attendee.email_change_requested.v2"
);
newsletter_event!(
    NewsletterSubscriptionChanged,
    "attendees.newsletter.subscription_changed.v1"
);

macro_rules! registration_event {
    ($ty:ty, $name:literal) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "attendees";
            const AGGREGATE_TYPE: &'static str = "registration";
            fn aggregate_id(&self) -> Uuid {
                self.registration_id
            }
        }
    };
}

registration_event!(RegistrationRequested, "attendees.registration.requested.v1");
registration_event!(RegistrationCancelled, "attendees.registration.cancelled.v1");
registration_event!(
    RegistrationStatusChanged,
    "attendees.registration.status_changed.v1"
);
registration_event!(
    AttendanceRecorded,
    "attendees.registration.attendance_recorded.v1"
);
