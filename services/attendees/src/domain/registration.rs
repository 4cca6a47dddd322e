//! A registration's status and how the registration saga moves it. Each function answers
//! what a message or request does to a registration in a given status; messages arrive at
//! least once and possibly late, so every answer is safe to apply again.

use serde::{Deserialize, Serialize};
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
    /// Cannot be cancelled any more.
    Refuse,
}

/// Cancelling a registration in `status`.
pub fn cancel(status: RegistrationStatus) -> Cancellation {
    match status {
        Confirmed | Registered => Cancellation::ReleaseSeat,
        Waitlisted => Cancellation::LeaveQueue,
        Cancelled => Cancellation::AlreadyCancelled,
        Attended | Rejected => Cancellation::Refuse,
    }
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
        assert_eq!(cancel(Confirmed), Cancellation::ReleaseSeat);
        assert_eq!(cancel(Registered), Cancellation::ReleaseSeat);
        assert_eq!(cancel(Waitlisted), Cancellation::LeaveQueue);
        assert_eq!(cancel(Cancelled), Cancellation::AlreadyCancelled);
        assert_eq!(cancel(Attended), Cancellation::Refuse);
    }
}
