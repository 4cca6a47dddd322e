//! What the attendees context knows of an event (fed by the events context) and whether a
//! registration may be asked for now. The events service still decides each seat; this
//! keeps a request for an event that is not open from creating anything or mailing anyone.

use chrono::{DateTime, Utc};
use shared_domain::contracts::events::EventState;
use shared_domain::contracts::Known;

/// An event as the events context last described it.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEntry {
    pub status: Known<EventState>,
    /// Known once the event's details were announced.
    pub registration_deadline: Option<DateTime<Utc>>,
}

/// Where an event's registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Open,
    /// Not open yet; it may open any moment (the organizer is publishing it).
    NotYet,
    /// Closed for good: the deadline passed, or the event moved past registration.
    Over,
}

impl CalendarEntry {
    /// Whether a registration may be asked for at `now`.
    pub fn window(&self, now: DateTime<Utc>) -> Window {
        if self
            .registration_deadline
            .is_some_and(|deadline| now > deadline)
        {
            return Window::Over;
        }
        match self.status.get() {
            Some(EventState::RegistrationOpen) => Window::Open,
            Some(
                EventState::Planning
                | EventState::TopicDefined
                | EventState::SpeakersInvited
                | EventState::AgendaDraft
                | EventState::Published,
            ) => Window::NotYet,
            Some(
                EventState::RegistrationClosed
                | EventState::InProgress
                | EventState::Completed
                | EventState::Archived,
            )
            | None => Window::Over,
        }
    }
}

/// Whether an event moving to `status` turns its waitlist away: registration closed for
/// good (closed, running, over). A state this service does not know changes nothing.
pub fn closes_the_waitlist(status: &Known<EventState>) -> bool {
    matches!(
        status.get(),
        Some(
            EventState::RegistrationClosed
                | EventState::InProgress
                | EventState::Completed
                | EventState::Archived
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn entry(status: EventState, deadline_in_hours: Option<i64>) -> CalendarEntry {
        CalendarEntry {
            status: Known::Value(status),
            registration_deadline: deadline_in_hours.map(|h| Utc::now() + Duration::hours(h)),
        }
    }

    #[test]
    fn an_open_event_before_its_deadline_takes_registrations() {
        assert_eq!(
            entry(EventState::RegistrationOpen, Some(1)).window(Utc::now()),
            Window::Open
        );
        assert_eq!(
            entry(EventState::RegistrationOpen, None).window(Utc::now()),
            Window::Open
        );
    }

    #[test]
    fn a_passed_deadline_closes_registration_whatever_the_status() {
        assert_eq!(
            entry(EventState::RegistrationOpen, Some(-1)).window(Utc::now()),
            Window::Over
        );
    }

    #[test]
    fn a_published_event_is_not_open_yet() {
        assert_eq!(
            entry(EventState::Published, Some(24)).window(Utc::now()),
            Window::NotYet
        );
    }

    #[test]
    fn closed_past_and_unknown_states_take_no_registrations() {
        assert_eq!(
            entry(EventState::RegistrationClosed, Some(24)).window(Utc::now()),
            Window::Over
        );
        assert_eq!(
            entry(EventState::Completed, None).window(Utc::now()),
            Window::Over
        );
        let unknown = CalendarEntry {
            status: Known::Unknown("postponed".into()),
            registration_deadline: None,
        };
        assert_eq!(unknown.window(Utc::now()), Window::Over);
    }

    #[test]
    fn only_a_known_end_of_registration_turns_the_waitlist_away() {
        assert!(closes_the_waitlist(&Known::Value(
            EventState::RegistrationClosed
        )));
        assert!(closes_the_waitlist(&Known::Value(EventState::InProgress)));
        assert!(!closes_the_waitlist(&Known::Value(
            EventState::RegistrationOpen
        )));
        assert!(!closes_the_waitlist(&Known::Unknown("postponed".into())));
    }
}
