//! A newsletter subscription's double opt-in: pending until the confirmation link is
//! followed, confirmed until the unsubscribe link is, and ended for good (subscribing
//! again starts a new subscription). Following a link twice changes nothing.

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

#[cfg(test)]
mod tests {
    use super::*;

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
