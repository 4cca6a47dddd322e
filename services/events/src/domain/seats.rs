//! The seat decision of the registration saga, taken while the event row is locked so that
//! concurrent requests see each other's reservations: confirmed seats never exceed capacity.

use chrono::{DateTime, Utc};
use shared_domain::contracts::events::SeatRefusal;

use super::status::EventStatus;

/// What the events side answers to a seat request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatDecision {
    Reserve,
    Refuse(SeatRefusal),
}

/// The seat-relevant state of an event.
#[derive(Debug, Clone, Copy)]
pub struct SeatInventory {
    pub status: EventStatus,
    pub registration_deadline: DateTime<Utc>,
    pub capacity: i32,
    pub taken: i32,
}

/// Reserve only while registration is open, before the deadline and below capacity.
/// Closed wins over full: a request after the deadline is rejected, not waitlisted.
pub fn decide(inventory: SeatInventory, now: DateTime<Utc>) -> SeatDecision {
    if inventory.status != EventStatus::RegistrationOpen || now > inventory.registration_deadline {
        SeatDecision::Refuse(SeatRefusal::Closed)
    } else if inventory.taken >= inventory.capacity {
        SeatDecision::Refuse(SeatRefusal::Full)
    } else {
        SeatDecision::Reserve
    }
}

/// Whether raising the capacity from `before` to the inventory's frees seats someone may
/// take now: the waitlist is then offered them (`SeatsAdded`). While registration is not
/// open there is nobody waiting to offer them to.
pub fn capacity_raise_frees_seats(before: i32, after: SeatInventory, now: DateTime<Utc>) -> bool {
    after.capacity > before && decide(after, now) == SeatDecision::Reserve
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(taken: i32) -> SeatInventory {
        SeatInventory {
            status: EventStatus::RegistrationOpen,
            registration_deadline: "2027-01-01T00:00:00Z".parse().unwrap(),
            capacity: 2,
            taken,
        }
    }

    #[test]
    fn seats_are_reserved_until_capacity_then_refused_as_full() {
        let now = "2026-12-01T00:00:00Z".parse().unwrap();
        assert_eq!(decide(open(1), now), SeatDecision::Reserve);
        assert_eq!(
            decide(open(2), now),
            SeatDecision::Refuse(SeatRefusal::Full)
        );
    }

    #[test]
    fn closed_registration_or_a_passed_deadline_refuses_as_closed() {
        let late = "2027-01-02T00:00:00Z".parse().unwrap();
        assert_eq!(
            decide(open(0), late),
            SeatDecision::Refuse(SeatRefusal::Closed)
        );
        let closed = SeatInventory {
            status: EventStatus::RegistrationClosed,
            ..open(2)
        };
        assert_eq!(
            decide(closed, "2026-12-01T00:00:00Z".parse().unwrap()),
            SeatDecision::Refuse(SeatRefusal::Closed)
        );
    }

    #[test]
    fn only_a_raise_with_open_registration_frees_seats_for_the_waitlist() {
        let now = "2026-12-01T00:00:00Z".parse().unwrap();
        let raised = SeatInventory {
            capacity: 3,
            ..open(2)
        };
        assert!(capacity_raise_frees_seats(2, raised, now));
        assert!(!capacity_raise_frees_seats(3, raised, now), "no raise");
        let still_full = SeatInventory {
            capacity: 3,
            ..open(3)
        };
        assert!(!capacity_raise_frees_seats(2, still_full, now));
        let closed = SeatInventory {
            status: EventStatus::RegistrationClosed,
            ..raised
        };
        assert!(!capacity_raise_frees_seats(2, closed, now));
    }
}
