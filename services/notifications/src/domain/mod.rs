//! The notifications domain: what kinds of notification exist and which are mandatory,
//! templates and their rendering, when a mail may go out (preferences, quiet hours,
//! digests) and the escalation tiers. No I/O.

pub mod escalation;
pub mod quota;
pub mod schedule;
pub mod template;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use shared_domain::names::enum_name;

/// The kind of a notification; each has a template per language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateType {
    SpeakerInvitation,
    InvitationWithdrawn,
    #[serde(rename = "deadline_reminder_48h")]
    DeadlineReminder48h,
    #[serde(rename = "deadline_reminder_24h")]
    DeadlineReminder24h,
    DeadlineCritical,
    #[serde(rename = "material_received_confirmation")]
    MaterialReceived,
    EventPublished,
    NewsletterProgressive,
    NewsletterFinal,
    AgendaUpdate,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    RegistrationPromoted,
    RegistrationCancelled,
    RegistrationRejected,
    SpeakerAccepted,
    SpeakerDeclined,
    NewsletterConfirmation,
    ChangesRequested,
    DeadlineEscalation,
    Digest,
    EmailChangeConfirmation,
    EmailChangeNotice,
    OverflowDeclined,
    PartnerMeetingInvitation,
    StorageQuotaWarning,
    WebhookDisabled,
}

impl TemplateType {
    /// Transactional mails: they answer something the person did, tell them what they must
    /// do now, or warn them about their own account and files (a nearly full storage
    /// quota), and go out regardless of preferences, quiet hours and digests.
    pub fn is_mandatory(self) -> bool {
        matches!(
            self,
            Self::SpeakerInvitation
                | Self::InvitationWithdrawn
                | Self::ChangesRequested
                | Self::DeadlineCritical
                | Self::DeadlineEscalation
                | Self::RegistrationConfirmed
                | Self::RegistrationWaitlisted
                | Self::RegistrationPromoted
                | Self::RegistrationCancelled
                | Self::RegistrationRejected
                | Self::NewsletterConfirmation
                | Self::Digest
                | Self::EmailChangeConfirmation
                | Self::EmailChangeNotice
                | Self::OverflowDeclined
                | Self::PartnerMeetingInvitation
                | Self::StorageQuotaWarning
                | Self::WebhookDisabled
        )
    }

    /// The variables a template of this type may use (the defaults use all of them).
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Self::SpeakerInvitation => &[
                "recipientName",
                "sessionTitle",
                "presentationTitle",
                "role",
                "invitationLink",
                "expiresAt",
            ],
            Self::DeadlineReminder48h | Self::DeadlineReminder24h | Self::DeadlineCritical => {
                &["recipientName", "sessionTitle", "deadline", "hoursLeft"]
            }
            Self::MaterialReceived => &["recipientName", "sessionTitle", "revision"],
            Self::EventPublished => &[
                "recipientName",
                "eventTitle",
                "eventNumber",
                "eventDate",
                "registrationDeadline",
                "agendaLink",
            ],
            Self::NewsletterProgressive | Self::NewsletterFinal | Self::AgendaUpdate => {
                &["recipientName", "eventTitle", "eventDate", "agendaLink"]
            }
            Self::RegistrationConfirmed
            | Self::RegistrationWaitlisted
            | Self::RegistrationPromoted
            | Self::RegistrationCancelled => &["recipientName", "eventTitle", "eventDate"],
            Self::RegistrationRejected => &["recipientName", "eventTitle", "eventDate", "reason"],
            Self::SpeakerAccepted => &["recipientName", "speakerName", "sessionTitle"],
            Self::SpeakerDeclined => &["recipientName", "speakerName", "sessionTitle", "reason"],
            Self::NewsletterConfirmation => {
                &["recipientName", "confirmationLink", "unsubscribeLink"]
            }
            Self::ChangesRequested => &["recipientName", "sessionTitle", "feedback", "deadline"],
            Self::DeadlineEscalation => &[
                "recipientName",
                "speakerName",
                "speakerEmail",
                "sessionTitle",
                "deadline",
            ],
            Self::Digest => &["recipientName", "period", "items"],
            Self::EmailChangeConfirmation => &["recipientName", "confirmationLink", "expiresAt"],
            Self::EmailChangeNotice => &["recipientName"],
            Self::OverflowDeclined => &["recipientName", "sessionTitle", "eventTitle", "reason"],
            Self::PartnerMeetingInvitation => &[
                "recipientName",
                "companyName",
                "meetingTitle",
                "scheduledAt",
                "location",
                "agenda",
            ],
            Self::StorageQuotaWarning => &["recipientName", "usage", "limit", "percentage"],
            Self::WebhookDisabled => &["recipientName", "url", "failedDeliveries"],
            Self::InvitationWithdrawn => &["recipientName", "sessionTitle"],
        }
    }
}

/// A template language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    De,
    En,
}

/// Whose contact a recipient is, which says which context describes it: speakers' and
/// attendees' contacts follow their profiles, partner contacts their partner's record,
/// organizers set theirs here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    Speaker,
    Attendee,
    Organizer,
    PartnerContact,
}

impl RecipientKind {
    /// Whether the contact is set through this service rather than a profile elsewhere.
    pub fn contact_set_here(self) -> bool {
        self == Self::Organizer
    }
}

/// A delivery channel; email is delivered, the others are kept as preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    InApp,
    Push,
    Sms,
}

/// How often a person wants a kind of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Immediate,
    DailyDigest,
    WeeklyDigest,
}

/// Where a notification is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent (after quiet hours, or for a retry).
    Pending,
    /// Waiting for the recipient's digest.
    Held,
    /// Went out inside a digest.
    Digested,
    /// Accepted by SES.
    Sent,
    Delivered,
    Bounced,
    Complained,
    /// Every attempt failed; the error is kept and it can be resent.
    Failed,
    /// Not sent: the person opted out, the address is suppressed or unknown.
    Suppressed,
}

/// Why a notifications operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotificationError {
    #[error("no {0} {1}")]
    NotFound(&'static str, Uuid),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(&'static str),
}
