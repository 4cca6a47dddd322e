//! A registration's status and how the registration saga moves it. Each function answers
//! what a message or request does to a registration in a given status; messages arrive at
//! least once and possibly late, so every answer is safe to apply again.

use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, StateMachine, TransitionRefused};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AttendeeError;

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Waiting for the events side's seat decision.
    Registered,
    /// The event was full; in the queue by registration date.
    Waitlisted,
    Confirmed,
    Cancelled,
    Attended,
    /// Registration was closed (or past its deadline) when the seat was requested.
    Rejected,
}

use RegistrationStatus::*;

/// Every move a registration may make. Registering again after a cancellation or a
/// rejection requests a seat anew.
const TRANSITIONS: &[(RegistrationStatus, RegistrationStatus)] = &[
    (Registered, Confirmed),
    (Registered, Waitlisted),
    (Registered, Rejected),
    (Registered, Cancelled),
    (Waitlisted, Confirmed),
    (Waitlisted, Rejected),
    (Waitlisted, Cancelled),
    (Confirmed, Cancelled),
    (Confirmed, Attended),
    (Cancelled, Registered),
    (Rejected, Registered),
];

impl StateMachine for RegistrationStatus {
    const MACHINE: &'static str = "status";
    const TRANSITIONS: &'static [(Self, Self)] = TRANSITIONS;
}

/// Most sessions one registration may name.
pub const MAX_SESSION_PREFERENCES: usize = 50;
/// Longest special request.
pub const MAX_SPECIAL_REQUESTS: usize = 2000;

/// Who asks to register: an organizer (who registers someone), or an attendee with the id
/// their token carries (who registers themself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registrar {
    pub organizer: bool,
    /// The caller's own attendee id, when the caller is an attendee.
    pub attendee: Option<Uuid>,
}

impl Registrar {
    /// Whom the caller acts for when asking for `asked` (or nobody in particular):
    /// organizers name the attendee, attendees act only for themselves.
    pub fn whom(self, asked: Option<Uuid>) -> Result<Uuid, AttendeeError> {
        match (self.organizer, asked, self.attendee) {
            (true, Some(id), _) => Ok(id),
            (_, None, Some(own)) => Ok(own),
            (false, Some(asked), Some(own)) if asked == own => Ok(own),
            (false, Some(_), Some(_)) => Err(AttendeeError::Forbidden(
                "attendees act only for themselves",
            )),
            (true, None, None) => Err(AttendeeError::Invalid(vec![FieldError::new(
                "attendeeId",
                "is required when an organizer acts for someone",
            )])),
            (false, _, None) => Err(AttendeeError::Forbidden(
                "only attendees act for themselves (or organizers for them)",
            )),
        }
    }
}

/// A registration request as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationInput {
    pub event_id: Uuid,
    pub attendee_id: Option<Uuid>,
    pub session_preferences: Vec<Uuid>,
    pub special_requests: Option<String>,
}

/// A registration request that may be made: whom it registers, with its limits checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    pub event_id: Uuid,
    pub attendee_id: Uuid,
    pub session_preferences: Vec<Uuid>,
    /// Trimmed; blank is none.
    pub special_requests: Option<String>,
}

impl NewRegistration {
    /// Decides whom `input` registers for `registrar` and checks its limits: organizers
    /// name the attendee, attendees register only themselves.
    pub fn parse(input: RegistrationInput, registrar: Registrar) -> Result<Self, AttendeeError> {
        let attendee_id = registrar.whom(input.attendee_id)?;
        let mut errors = Vec::new();
        if input.session_preferences.len() > MAX_SESSION_PREFERENCES {
            errors.push(FieldError::new(
                "sessionPreferences",
                format!("at most {MAX_SESSION_PREFERENCES} sessions"),
            ));
        }
        let special_requests = input
            .special_requests
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if special_requests
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SPECIAL_REQUESTS || s.contains('\0'))
        {
            errors.push(FieldError::new(
                "specialRequests",
                format!("must be at most {MAX_SPECIAL_REQUESTS} characters of text"),
            ));
        }
        if !errors.is_empty() {
            return Err(AttendeeError::Invalid(errors));
        }
        Ok(NewRegistration {
            event_id: input.event_id,
            attendee_id,
            session_preferences: input.session_preferences,
            special_requests,
        })
    }
}

/// What asking to register does, given the attendee's registration for the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRequest {
    /// No registration yet: create one.
    Create,
    /// A cancelled or rejected one: request a seat anew.
    Reopen,
    /// A live registration: answer it as it is.
    Existing,
}

/// Deciding a registration request.
pub fn on_request(existing: Option<RegistrationStatus>) -> RegistrationRequest {
    match existing {
        None => RegistrationRequest::Create,
        Some(status) if status.transition(Registered).is_ok() => RegistrationRequest::Reopen,
        Some(_) => RegistrationRequest::Existing,
    }
}

/// What a seat answer does to a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatOutcome {
    /// Move to this status.
    Become(RegistrationStatus),
    /// The registration was cancelled meanwhile: give the seat back.
    ReleaseAgain,
    /// Already applied, or no longer relevant.
    Ignore,
}

/// A seat was reserved.
pub fn on_seat_reserved(status: RegistrationStatus) -> SeatOutcome {
    match status {
        Registered | Waitlisted => SeatOutcome::Become(Confirmed),
        Cancelled | Rejected => SeatOutcome::ReleaseAgain,
        Confirmed | Attended => SeatOutcome::Ignore,
    }
}

/// The event was full.
pub fn on_seat_refused_full(status: RegistrationStatus) -> SeatOutcome {
    match status {
        Registered => SeatOutcome::Become(Waitlisted),
        _ => SeatOutcome::Ignore,
    }
}

/// Registration was closed.
pub fn on_seat_refused_closed(status: RegistrationStatus) -> SeatOutcome {
    match status {
        Registered | Waitlisted => SeatOutcome::Become(Rejected),
        _ => SeatOutcome::Ignore,
    }
}

/// What cancelling does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// Cancel and tell the events side, which releases a held (or about to be held) seat.
    ReleaseSeat,
    /// Cancel quietly: the registration holds no seat (it leaves the waitlist).
    LeaveQueue,
    /// Already cancelled: nothing to do.
    AlreadyCancelled,
}

/// Whether the attendee is told of a seat answer that moved their registration to
/// `status`: a promotion that met a full event (a newcomer took the seat between the release
/// and the promotion's request) goes back to its place in the queue unannounced, as the
/// person heard of the waitlist already.
pub fn is_announced(status: RegistrationStatus, promoted: bool) -> bool {
    !(status == Waitlisted && promoted)
}

/// Cancelling a registration in `status`; refused once it was attended or rejected.
pub fn cancel(status: RegistrationStatus) -> Result<Cancellation, TransitionRefused> {
    if status == Cancelled {
        return Ok(Cancellation::AlreadyCancelled);
    }
    status.transition(Cancelled)?;
    Ok(match status {
        Waitlisted => Cancellation::LeaveQueue,
        _ => Cancellation::ReleaseSeat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_promotion_back_in_the_queue_is_not_announced_again() {
        assert!(!is_announced(Waitlisted, true));
        assert!(is_announced(Waitlisted, false));
        assert!(is_announced(Confirmed, true));
    }

    #[test]
    fn seat_answers_move_pending_registrations_only() {
        assert_eq!(on_seat_reserved(Registered), SeatOutcome::Become(Confirmed));
        assert_eq!(on_seat_reserved(Waitlisted), SeatOutcome::Become(Confirmed));
        assert_eq!(on_seat_reserved(Confirmed), SeatOutcome::Ignore);
        assert_eq!(on_seat_reserved(Cancelled), SeatOutcome::ReleaseAgain);
        assert_eq!(
            on_seat_refused_full(Registered),
            SeatOutcome::Become(Waitlisted)
        );
        assert_eq!(on_seat_refused_full(Confirmed), SeatOutcome::Ignore);
        assert_eq!(
            on_seat_refused_closed(Waitlisted),
            SeatOutcome::Become(Rejected)
        );
    }

    #[test]
    fn cancelling_releases_seats_or_leaves_the_queue() {
        assert_eq!(cancel(Confirmed), Ok(Cancellation::ReleaseSeat));
        assert_eq!(cancel(Registered), Ok(Cancellation::ReleaseSeat));
        assert_eq!(cancel(Waitlisted), Ok(Cancellation::LeaveQueue));
        assert_eq!(cancel(Cancelled), Ok(Cancellation::AlreadyCancelled));
        let refused = cancel(Attended).unwrap_err();
        assert_eq!(
            (refused.current.as_str(), refused.allowed.len()),
            ("attended", 0)
        );
    }

    fn input(attendee_id: Option<Uuid>) -> RegistrationInput {
        RegistrationInput {
            event_id: Uuid::now_v7(),
            attendee_id,
            session_preferences: vec![],
            special_requests: Some("  ".into()),
        }
    }

    #[test]
    fn an_attendee_registers_themself_and_no_one_else() {
        let me = Uuid::now_v7();
        let attendee = Registrar {
            organizer: false,
            attendee: Some(me),
        };
        assert_eq!(
            NewRegistration::parse(input(None), attendee)
                .unwrap()
                .attendee_id,
            me
        );
        assert_eq!(
            NewRegistration::parse(input(Some(me)), attendee)
                .unwrap()
                .attendee_id,
            me
        );
        assert!(matches!(
            NewRegistration::parse(input(Some(Uuid::now_v7())), attendee),
            Err(AttendeeError::Forbidden(_))
        ));
    }

    #[test]
    fn an_organizer_names_whom_they_register() {
        let organizer = Registrar {
            organizer: true,
            attendee: None,
        };
        let someone = Uuid::now_v7();
        assert_eq!(
            NewRegistration::parse(input(Some(someone)), organizer)
                .unwrap()
                .attendee_id,
            someone
        );
        match NewRegistration::parse(input(None), organizer) {
            Err(AttendeeError::Invalid(errors)) => assert_eq!(errors[0].field, "attendeeId"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_caller_without_attendee_id_or_organizer_role_registers_no_one() {
        let stranger = Registrar {
            organizer: false,
            attendee: None,
        };
        assert!(matches!(
            NewRegistration::parse(input(Some(Uuid::now_v7())), stranger),
            Err(AttendeeError::Forbidden(_))
        ));
    }

    #[test]
    fn limits_are_reported_on_their_fields_and_blank_requests_are_none() {
        let me = Registrar {
            organizer: false,
            attendee: Some(Uuid::now_v7()),
        };
        assert_eq!(
            NewRegistration::parse(input(None), me)
                .unwrap()
                .special_requests,
            None
        );
        let mut too_much = input(None);
        too_much.session_preferences = vec![Uuid::now_v7(); MAX_SESSION_PREFERENCES + 1];
        too_much.special_requests = Some("x".repeat(MAX_SPECIAL_REQUESTS + 1));
        match NewRegistration::parse(too_much, me) {
            Err(AttendeeError::Invalid(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["sessionPreferences", "specialRequests"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn registering_again_reopens_only_ended_registrations() {
        assert_eq!(on_request(None), RegistrationRequest::Create);
        assert_eq!(on_request(Some(Cancelled)), RegistrationRequest::Reopen);
        assert_eq!(on_request(Some(Rejected)), RegistrationRequest::Reopen);
        assert_eq!(on_request(Some(Waitlisted)), RegistrationRequest::Existing);
        assert_eq!(on_request(Some(Confirmed)), RegistrationRequest::Existing);
    }

    #[test]
    fn every_seat_answer_is_a_move_of_the_table() {
        for status in [
            Registered, Waitlisted, Confirmed, Cancelled, Attended, Rejected,
        ] {
            for outcome in [
                on_seat_reserved(status),
                on_seat_refused_full(status),
                on_seat_refused_closed(status),
            ] {
                if let SeatOutcome::Become(next) = outcome {
                    assert_eq!(status.transition(next), Ok(next));
                }
            }
        }
    }
}
