//! Partner meetings (spring, autumn or ad hoc) and the partners' answers to them: an RSVP
//! is given by the partner until the meeting starts; attendance is recorded by organizers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;

pub use shared_domain::contracts::partners::MeetingType;

use super::PartnerError;

/// A partner's answer to a meeting invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RsvpStatus {
    Invited,
    Accepted,
    Declined,
    Tentative,
}

/// What an organizer sets of a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFields {
    pub meeting_type: MeetingType,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    pub agenda: String,
}

impl Parse for MeetingFields {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let title = v.text("title", &self.title, 255);
        let location = v.text("location", &self.location, 255);
        let agenda = v.paragraphs("agenda", &self.agenda, 10_000);
        v.plausible_time("scheduledAt", self.scheduled_at);
        let (title, location, agenda) = v.finish_with((title, location, agenda))?;
        Ok(Self {
            title,
            location,
            agenda,
            ..self
        })
    }
}

/// A new meeting lies in the future.
pub fn check_schedule(scheduled_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), FieldError> {
    if scheduled_at <= now {
        Err(FieldError::new("scheduledAt", "must lie in the future"))
    } else {
        Ok(())
    }
}

/// A partner answers until the meeting starts, and only with accepted, declined or
/// tentative.
pub fn check_rsvp(
    status: RsvpStatus,
    scheduled_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), PartnerError> {
    if status == RsvpStatus::Invited {
        return Err(PartnerError::Conflict(
            "an answer is accepted, declined or tentative".into(),
        ));
    }
    if now >= scheduled_at {
        return Err(PartnerError::Conflict(format!(
            "the meeting started at {scheduled_at}: answers are closed"
        )));
    }
    Ok(())
}

/// Attendance is recorded once the meeting has started.
pub fn check_attendance(
    scheduled_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), PartnerError> {
    if now < scheduled_at {
        return Err(PartnerError::Conflict(format!(
            "the meeting starts at {scheduled_at}: attendance is recorded afterwards"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn answers_close_when_the_meeting_starts() {
        let now = Utc::now();
        let later = now + Duration::days(3);
        assert!(check_rsvp(RsvpStatus::Accepted, later, now).is_ok());
        assert!(check_rsvp(RsvpStatus::Invited, later, now).is_err());
        assert!(check_rsvp(RsvpStatus::Declined, now - Duration::hours(1), now).is_err());
        assert!(check_attendance(later, now).is_err());
        assert!(check_attendance(now - Duration::hours(1), now).is_ok());
    }
}
