//! A newsletter subscription's double opt-in: pending until the confirmation link is
//! followed, confirmed until the unsubscribe link is, and ended for good (subscribing
//! again starts a new subscription). Following a link twice changes nothing. A
//! confirmation counts only within [`CONFIRMATION_VALID_DAYS`] of the request: consent is
//! given when it was asked for, not months later with a link found in an old mailbox.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{StateMachine, TransitionRefused};
use utoipa::ToSchema;

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Pending,
    Confirmed,
    Unsubscribed,
}

use SubscriptionStatus::*;

impl StateMachine for SubscriptionStatus {
    const MACHINE: &'static str = "subscriptionStatus";
    const TRANSITIONS: &'static [(Self, Self)] = &[
        (Pending, Confirmed),
        (Pending, Unsubscribed),
        (Confirmed, Unsubscribed),
    ];
}

/// What following a link does: move to `Some(status)`, or nothing when the subscription
/// is there already; a refusal when it can no longer get there (confirming an ended one).
pub fn follow(
    current: SubscriptionStatus,
    target: SubscriptionStatus,
) -> Result<Option<SubscriptionStatus>, TransitionRefused> {
    if current == target {
        return Ok(None);
    }
    current.transition(target).map(Some)
}

/// Days a confirmation link confirms after the subscription was requested.
pub const CONFIRMATION_VALID_DAYS: i64 = 7;

/// Whether a subscription in `status`, requested at `requested_at`, waits for a
/// confirmation that can no longer come at `now`: its link is gone, and subscribing again
/// replaces it.
pub fn past_confirmation(
    status: SubscriptionStatus,
    requested_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    status == Pending
        && now.signed_duration_since(requested_at) > TimeDelta::days(CONFIRMATION_VALID_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_subscription_may_be_confirmed_for_seven_days() {
        let requested = Utc::now();
        let week = TimeDelta::days(7);
        let later = requested + week + TimeDelta::seconds(1);
        assert!(!past_confirmation(Pending, requested, requested + week));
        assert!(past_confirmation(Pending, requested, later));
        assert!(!past_confirmation(Confirmed, requested, later));
    }

    #[test]
    fn links_confirm_and_end_once() {
        assert_eq!(follow(Pending, Confirmed), Ok(Some(Confirmed)));
        assert_eq!(follow(Confirmed, Confirmed), Ok(None));
        assert_eq!(follow(Confirmed, Unsubscribed), Ok(Some(Unsubscribed)));
        assert_eq!(follow(Unsubscribed, Unsubscribed), Ok(None));
    }

    #[test]
    fn an_ended_subscription_cannot_be_confirmed() {
        let refused = follow(Unsubscribed, Confirmed).unwrap_err();
        assert_eq!(refused.current, "unsubscribed");
        assert!(refused.allowed.is_empty());
    }
}
