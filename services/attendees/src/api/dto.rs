//! What the attendees API answers with, shared by its handlers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::attendee::GdprConsent;
use crate::domain::registration::RegistrationStatus;
use crate::store::attendees::AttendeeRecord;
use crate::store::registrations::RegistrationRecord;

/// An attendee as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeResponse {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Option<Uuid>,
    pub position: Option<String>,
    /// True once a newsletter subscription is confirmed (see `/api/v1/newsletter`).
    pub newsletter_subscription: bool,
    pub gdpr_consent: GdprConsent,
    /// Language of mails: `de` or `en`.
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// The address the attendee is moving to, until they follow the link mailed there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
}

impl From<AttendeeRecord> for AttendeeResponse {
    fn from(r: AttendeeRecord) -> Self {
        let consent = r.fields().consent;
        AttendeeResponse {
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            company_id: r.company_id,
            position: r.position,
            newsletter_subscription: r.newsletter_subscription,
            gdpr_consent: consent,
            language: r.language,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_login_at: r.last_login_at,
            version: r.version,
            pending_email: None,
        }
    }
}

/// A registration as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub registration_date: DateTime<Utc>,
    pub status: RegistrationStatus,
    /// Why it was rejected (`closed`).
    pub refusal_reason: Option<String>,
    /// 1 = next to be promoted; only while waitlisted.
    pub waitlist_position: Option<i64>,
    pub session_preferences: Vec<Uuid>,
    pub special_requests: Option<String>,
    pub attendance_confirmed: bool,
    pub actual_attendance: bool,
    pub promoted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<RegistrationRecord> for RegistrationResponse {
    fn from(r: RegistrationRecord) -> Self {
        RegistrationResponse {
            id: r.id,
            event_id: r.event_id,
            attendee_id: r.attendee_id,
            registration_date: r.registration_date,
            status: *r.status,
            refusal_reason: r.refusal_reason,
            waitlist_position: r.waitlist_position,
            session_preferences: r.session_preferences.0,
            special_requests: r.special_requests,
            attendance_confirmed: r.attendance_confirmed,
            actual_attendance: r.actual_attendance,
            promoted_at: r.promoted_at,
            updated_at: r.updated_at,
        }
    }
}
