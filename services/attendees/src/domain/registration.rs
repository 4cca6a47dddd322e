//! A registration's status and how the registration saga moves it. Each function answers
//! what a message or request does to a registration in a given status; messages arrive at
//! least once and possibly late, so every answer is safe to apply again.

use serde::{Deserialize, Serialize};
use shared_domain::{StateMachine, TransitionRefused};
use utoipa::ToSchema;

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
