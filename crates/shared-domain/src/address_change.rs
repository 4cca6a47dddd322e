//! How a person's address (an attendee's, a speaker's) changes. An organizer corrects it at
//! once; a person moving to a new address confirms it with a link mailed there, so nobody
//! can point our mail at a stranger, and nobody learns from the answer whether the new
//! address is anyone's.

use chrono::{DateTime, Duration, Utc};

use crate::validation::{FieldError, Validator};

/// How long the confirmation link of a new address works.
pub const LINK_LIFETIME: Duration = Duration::hours(48);

/// What a profile change does to the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressChange {
    /// The address stays (not asked for, or the same one).
    Keep,
    /// Written at once (an organizer's correction).
    Now(String),
    /// Kept until the owner of the new address follows the link mailed there.
    Confirm(String),
}

/// The change `requested` (already validated) makes to `current`.
pub fn address_change(organizer: bool, current: &str, requested: Option<&str>) -> AddressChange {
    match requested {
        None => AddressChange::Keep,
        Some(new) if new.eq_ignore_ascii_case(current) => AddressChange::Keep,
        Some(new) if organizer => AddressChange::Now(new.to_owned()),
        Some(new) => AddressChange::Confirm(new.to_owned()),
    }
}

/// The change a profile update asks for: `requested` is checked as an address (refused
/// naming `email`), then [`address_change`] decides.
pub fn requested(
    organizer: bool,
    current: &str,
    requested: Option<&str>,
) -> Result<AddressChange, Vec<FieldError>> {
    let mut v = Validator::new();
    let requested = requested.and_then(|email| v.email("email", email));
    v.finish()?;
    Ok(address_change(organizer, current, requested.as_deref()))
}

/// How long after one link to a new address the next may be asked for: nobody can use a
/// profile to have us mail address after address.
pub const NEXT_LINK_AFTER: Duration = Duration::minutes(5);

/// How long a person who asked for a link at `last` must still wait at `now` before the
/// next (nothing when they may ask now).
pub fn wait_for_next_link(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    let next = last? + NEXT_LINK_AFTER;
    (now < next).then(|| next - now)
}

/// Whether a link requested at `expires_at` still works at `now`.
pub fn link_works(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now <= expires_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_link_waits_five_minutes_after_the_last() {
        let last: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        assert_eq!(wait_for_next_link(None, last), None);
        let soon = last + Duration::seconds(40);
        assert_eq!(
            wait_for_next_link(Some(last), soon),
            Some(Duration::seconds(260))
        );
        assert_eq!(wait_for_next_link(Some(last), last + NEXT_LINK_AFTER), None);
    }

    #[test]
    fn an_organizer_corrects_an_address_at_once() {
        let change = address_change(true, "ada@example.ch", Some("ada@example.org"));
        assert_eq!(change, AddressChange::Now("ada@example.org".into()));
    }

    #[test]
    fn a_person_confirms_a_new_address_first() {
        let change = address_change(false, "ada@example.ch", Some("ada@example.org"));
        assert_eq!(change, AddressChange::Confirm("ada@example.org".into()));
    }

    #[test]
    fn the_same_address_in_another_case_changes_nothing() {
        let change = address_change(false, "ada@example.ch", Some("ADA@example.ch"));
        assert_eq!(change, AddressChange::Keep);
        assert_eq!(
            address_change(false, "ada@example.ch", None),
            AddressChange::Keep
        );
    }

    #[test]
    fn a_link_works_until_it_expires() {
        let now = Utc::now();
        assert!(link_works(now + LINK_LIFETIME, now));
        assert!(!link_works(now - Duration::seconds(1), now));
    }
}
