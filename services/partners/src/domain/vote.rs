//! Topic votes: 1 (no interest) to 5 (strong interest), one per topic and partner,
//! changeable or withdrawn until an event uses the topic; only active partners vote.

use super::PartnerError;

/// The least and the greatest vote.
pub const VOTE_RANGE: std::ops::RangeInclusive<i64> = 1..=5;

/// The vote `value` as stored, or the field error naming the range.
pub fn check_value(value: i64) -> Result<u8, shared_domain::FieldError> {
    if VOTE_RANGE.contains(&value) {
        Ok(value as u8)
    } else {
        Err(shared_domain::FieldError::new(
            "value",
            "must be a whole number from 1 (no interest) to 5 (strong interest)",
        ))
    }
}

/// Whether a partner may still cast, change or withdraw a vote on a topic.
pub fn check_open(
    partner_active: bool,
    topic_active: bool,
    topic_used: bool,
) -> Result<(), PartnerError> {
    if !partner_active {
        return Err(PartnerError::Conflict(
            "the partnership is not active: only active partners vote".into(),
        ));
    }
    if topic_used {
        return Err(PartnerError::Conflict(
            "an event uses this topic already: its votes are closed".into(),
        ));
    }
    if !topic_active {
        return Err(PartnerError::Conflict(
            "the topic is retired from the library".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_one_to_five_are_refused() {
        assert_eq!(check_value(1), Ok(1));
        assert_eq!(check_value(5), Ok(5));
        assert_eq!(check_value(0).unwrap_err().field, "value");
        assert_eq!(check_value(6).unwrap_err().field, "value");
    }

    #[test]
    fn votes_close_when_an_event_uses_the_topic() {
        assert!(check_open(true, true, false).is_ok());
        assert!(check_open(true, true, true).is_err());
        assert!(check_open(false, true, false).is_err());
        assert!(check_open(true, false, false).is_err());
    }
}
