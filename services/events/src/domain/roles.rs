//! Platform roles and role changes: who may approve what, when a request expires, and the
//! rule that at least two organizers stay active in every scope.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A platform role as granted in `user_roles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformRole {
    Organizer,
    Speaker,
    Partner,
    Attendee,
}

/// Where a role change request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
    Expired,
}

/// The fewest active organizers a scope may have.
pub const MIN_ORGANIZERS: i64 = 2;

/// How long a role change request waits for its approval.
pub fn expiry(created_at: DateTime<Utc>) -> DateTime<Utc> {
    created_at + Duration::days(7)
}

/// Demoting an organizer needs another organizer's approval; other changes apply at once.
pub fn requires_approval(current: PlatformRole, requested: PlatformRole) -> bool {
    current == PlatformRole::Organizer && requested != PlatformRole::Organizer
}

/// Why a role decision was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleRuleError {
    #[error("at least {MIN_ORGANIZERS} organizers must stay active; {remaining} would remain")]
    TooFewOrganizers { remaining: i64 },
    #[error("the request was made by {0}; another organizer must decide it")]
    OwnRequest(String),
    #[error("organizers cannot approve their own demotion")]
    OwnDemotion,
    #[error("the request is {0:?}, not pending")]
    NotPending(RequestStatus),
    #[error("the request expired at {0}")]
    Expired(DateTime<Utc>),
}

/// The status a request has at `now` (a pending one past its expiry is expired).
pub fn effective_status(
    status: RequestStatus,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> RequestStatus {
    if status == RequestStatus::Pending && now > expires_at {
        RequestStatus::Expired
    } else {
        status
    }
}

/// Checks that `approver` may decide a pending request of `requested_by` about `target`.
pub fn may_decide(
    approver: &str,
    requested_by: &str,
    target: &str,
    status: RequestStatus,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), RoleRuleError> {
    match effective_status(status, expires_at, now) {
        RequestStatus::Pending => {}
        RequestStatus::Expired => return Err(RoleRuleError::Expired(expires_at)),
        other => return Err(RoleRuleError::NotPending(other)),
    }
    if approver == requested_by {
        return Err(RoleRuleError::OwnRequest(requested_by.to_owned()));
    }
    if approver == target {
        return Err(RoleRuleError::OwnDemotion);
    }
    Ok(())
}

/// Checks that removing one organizer from a scope of `active` organizers keeps the minimum.
/// The caller counts `active` while holding the scope's lock, so concurrent demotions are
/// decided one after the other.
pub fn may_remove_organizer(active: i64) -> Result<(), RoleRuleError> {
    let remaining = active - 1;
    if remaining < MIN_ORGANIZERS {
        Err(RoleRuleError::TooFewOrganizers { remaining })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_organizers_must_remain() {
        assert!(may_remove_organizer(3).is_ok());
        assert_eq!(
            may_remove_organizer(2),
            Err(RoleRuleError::TooFewOrganizers { remaining: 1 })
        );
    }

    #[test]
    fn only_another_organizer_decides_and_only_within_seven_days() {
        let created: DateTime<Utc> = "2026-11-01T10:00:00Z".parse().unwrap();
        let expires = expiry(created);
        let soon = created + Duration::days(6);
        assert!(may_decide(
            "carla",
            "anna",
            "bert",
            RequestStatus::Pending,
            expires,
            soon
        )
        .is_ok());
        assert_eq!(
            may_decide(
                "anna",
                "anna",
                "bert",
                RequestStatus::Pending,
                expires,
                soon
            ),
            Err(RoleRuleError::OwnRequest("anna".into()))
        );
        assert_eq!(
            may_decide(
                "bert",
                "anna",
                "bert",
                RequestStatus::Pending,
                expires,
                soon
            ),
            Err(RoleRuleError::OwnDemotion)
        );
        let late = created + Duration::days(7) + Duration::seconds(1);
        assert_eq!(
            may_decide(
                "carla",
                "anna",
                "bert",
                RequestStatus::Pending,
                expires,
                late
            ),
            Err(RoleRuleError::Expired(expires))
        );
        assert_eq!(
            may_decide(
                "carla",
                "anna",
                "bert",
                RequestStatus::Rejected,
                expires,
                soon
            ),
            Err(RoleRuleError::NotPending(RequestStatus::Rejected))
        );
    }

    #[test]
    fn only_organizer_demotions_wait_for_approval() {
        assert!(requires_approval(
            PlatformRole::Organizer,
            PlatformRole::Attendee
        ));
        assert!(!requires_approval(
            PlatformRole::Attendee,
            PlatformRole::Organizer
        ));
        assert!(!requires_approval(
            PlatformRole::Speaker,
            PlatformRole::Partner
        ));
    }
}
