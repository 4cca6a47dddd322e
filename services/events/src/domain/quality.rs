//! The event-level quality review: which review steps a speaker session may take, how the
//! sessions' statuses roll up into the event's overall status, and when the review is
//! complete or overdue. The per-speaker content review belongs to the speakers context.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, StateMachine};
use utoipa::ToSchema;

/// Where the review of a session (or, rolled up, of the whole event) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QualityReviewStatus {
    Pending,
    InReview,
    Approved,
    RequiresChanges,
    Rejected,
    RevisionSubmitted,
}

/// Every allowed review step of a session. A revision goes back to review or is decided at
/// once; approved and rejected sessions are final.
const SESSION_REVIEW_TRANSITIONS: &[(QualityReviewStatus, QualityReviewStatus)] = {
    use QualityReviewStatus::*;
    &[
        (Pending, InReview),
        (InReview, Approved),
        (InReview, RequiresChanges),
        (InReview, Rejected),
        (RequiresChanges, RevisionSubmitted),
        (RevisionSubmitted, InReview),
        (RevisionSubmitted, Approved),
        (RevisionSubmitted, RequiresChanges),
        (RevisionSubmitted, Rejected),
    ]
};

impl StateMachine for QualityReviewStatus {
    const MACHINE: &'static str = "sessionReviewStatus";
    const TRANSITIONS: &'static [(Self, Self)] = SESSION_REVIEW_TRANSITIONS;
}

impl QualityReviewStatus {
    /// Whether the speaker must be told what to change (or why the session was refused).
    pub fn needs_feedback(self) -> bool {
        matches!(
            self,
            QualityReviewStatus::RequiresChanges | QualityReviewStatus::Rejected
        )
    }
}

/// The feedback stored with a review step: trimmed, empty meaning none; required when the
/// step asks for changes or rejects the session.
pub fn review_feedback(
    status: QualityReviewStatus,
    feedback: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let feedback = feedback.map(str::trim).filter(|f| !f.is_empty());
    if feedback.is_some_and(|f| f.chars().count() > 10_000) {
        return Err(FieldError::new(
            "feedback",
            "must have at most 10000 characters",
        ));
    }
    if status.needs_feedback() && feedback.is_none() {
        return Err(FieldError::new(
            "feedback",
            format!("must explain the decision {}", super::enum_name(&status)),
        ));
    }
    Ok(feedback.map(str::to_owned))
}

/// The event's overall status from its live speaker sessions' statuses:
///
/// - no sessions → `pending` (nothing was reviewed yet);
/// - every session `approved` → `approved`;
/// - otherwise the most urgent status present, in this order: `requires_changes`,
///   `revision_submitted`, `in_review`, `pending`. A `rejected` session counts as
///   `requires_changes` at event level: the organizers must replace it.
pub fn roll_up(statuses: &[QualityReviewStatus]) -> QualityReviewStatus {
    use QualityReviewStatus::*;
    if statuses.is_empty() {
        return Pending;
    }
    if statuses.iter().all(|s| *s == Approved) {
        return Approved;
    }
    let has = |status| statuses.contains(&status);
    if has(RequiresChanges) || has(Rejected) {
        RequiresChanges
    } else if has(RevisionSubmitted) {
        RevisionSubmitted
    } else if has(InReview) {
        InReview
    } else {
        Pending
    }
}

/// When the review was completed after a change to `overall`: the first moment it became
/// approved, kept while it stays approved, cleared once it is reopened.
pub fn completed_at(
    overall: QualityReviewStatus,
    previous: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    (overall == QualityReviewStatus::Approved).then(|| previous.unwrap_or(now))
}

/// Whether the review missed its deadline without being completed.
pub fn is_overdue(
    review_deadline: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    completed_at.is_none() && now > review_deadline
}

/// Where a session's review goes when its speaker's content review (in the speakers
/// context) reaches `decision`: straight there when the step is allowed, else by way of
/// `in_review`; none when neither is (a final or identical status stays).
pub fn reflect(
    current: QualityReviewStatus,
    decision: QualityReviewStatus,
) -> Option<QualityReviewStatus> {
    if current == decision {
        return None;
    }
    current
        .transition(decision)
        .or_else(|_| {
            current
                .transition(QualityReviewStatus::InReview)
                .and_then(|step| step.transition(decision))
        })
        .ok()
}

/// Checks a review deadline: in the future and not after the event starts.
pub fn validate_deadline(
    review_deadline: DateTime<Utc>,
    event_date: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    if review_deadline <= now {
        return Err(FieldError::new("reviewDeadline", "must be in the future"));
    }
    if review_deadline > event_date {
        return Err(FieldError::new(
            "reviewDeadline",
            format!("must not be after the event date {event_date}"),
        ));
    }
    Ok(review_deadline)
}

#[cfg(test)]
mod tests {
    use super::QualityReviewStatus::*;
    use super::*;

    #[test]
    fn the_speakers_decisions_reach_the_session_review_by_allowed_steps() {
        use QualityReviewStatus::*;
        assert_eq!(
            reflect(Pending, Approved),
            Some(Approved),
            "by way of in_review"
        );
        assert_eq!(reflect(InReview, RequiresChanges), Some(RequiresChanges));
        assert_eq!(
            reflect(RequiresChanges, RevisionSubmitted),
            Some(RevisionSubmitted)
        );
        assert_eq!(reflect(RevisionSubmitted, Approved), Some(Approved));
        assert_eq!(
            reflect(Approved, RequiresChanges),
            None,
            "approved is final"
        );
        assert_eq!(reflect(Approved, Approved), None);
    }

    #[test]
    fn a_session_review_runs_through_a_revision_to_approval() {
        let path = [
            Pending,
            InReview,
            RequiresChanges,
            RevisionSubmitted,
            InReview,
            Approved,
        ];
        for pair in path.windows(2) {
            assert_eq!(pair[0].transition(pair[1]).unwrap(), pair[1]);
        }
        assert_eq!(RevisionSubmitted.transition(Approved).unwrap(), Approved);
        assert_eq!(RevisionSubmitted.transition(Rejected).unwrap(), Rejected);
    }

    #[test]
    fn refused_review_steps_name_the_allowed_ones() {
        let refused = |from: QualityReviewStatus, to: QualityReviewStatus| {
            let refused = from.transition(to).unwrap_err();
            assert_eq!(refused.machine, "sessionReviewStatus");
            assert_eq!(refused.current, crate::domain::enum_name(&from));
            refused.allowed
        };
        assert_eq!(refused(Pending, Approved), ["in_review"]);
        assert_eq!(
            refused(InReview, RevisionSubmitted),
            ["approved", "requires_changes", "rejected"]
        );
        assert_eq!(refused(RequiresChanges, Approved), ["revision_submitted"]);
        assert!(refused(Approved, InReview).is_empty(), "approval is final");
        assert!(
            refused(Rejected, RevisionSubmitted).is_empty(),
            "rejection is final"
        );
        assert_eq!(refused(InReview, InReview).len(), 3);
    }

    #[test]
    fn changes_and_rejections_need_feedback() {
        assert_eq!(
            review_feedback(RequiresChanges, Some("  "))
                .unwrap_err()
                .field,
            "feedback"
        );
        assert_eq!(
            review_feedback(Rejected, None).unwrap_err().field,
            "feedback"
        );
        assert_eq!(
            review_feedback(RequiresChanges, Some(" shorten the abstract "))
                .unwrap()
                .as_deref(),
            Some("shorten the abstract")
        );
        assert_eq!(review_feedback(Approved, Some("")).unwrap(), None);
    }

    #[test]
    fn the_roll_up_takes_the_most_urgent_status() {
        assert_eq!(roll_up(&[]), Pending);
        assert_eq!(roll_up(&[Approved, Approved]), Approved);
        assert_eq!(roll_up(&[Approved, Pending]), Pending);
        assert_eq!(roll_up(&[Pending, InReview, Approved]), InReview);
        assert_eq!(roll_up(&[InReview, RevisionSubmitted]), RevisionSubmitted);
        assert_eq!(
            roll_up(&[RevisionSubmitted, RequiresChanges, Pending]),
            RequiresChanges
        );
        assert_eq!(
            roll_up(&[Approved, Rejected]),
            RequiresChanges,
            "a rejected session must be replaced"
        );
        assert_eq!(roll_up(&[Rejected]), RequiresChanges);
    }

    #[test]
    fn completion_is_kept_while_approved_and_cleared_when_reopened() {
        let first: DateTime<Utc> = "2027-02-01T10:00:00Z".parse().unwrap();
        let later: DateTime<Utc> = "2027-02-03T10:00:00Z".parse().unwrap();
        assert_eq!(completed_at(Approved, None, first), Some(first));
        assert_eq!(completed_at(Approved, Some(first), later), Some(first));
        assert_eq!(completed_at(RequiresChanges, Some(first), later), None);
        assert!(is_overdue(first, None, later));
        assert!(!is_overdue(first, Some(first), later));
        assert!(!is_overdue(later, None, first));
    }

    #[test]
    fn the_deadline_lies_between_now_and_the_event() {
        let now: DateTime<Utc> = "2027-01-10T10:00:00Z".parse().unwrap();
        let event: DateTime<Utc> = "2027-03-12T16:00:00Z".parse().unwrap();
        assert!(validate_deadline("2027-03-01T12:00:00Z".parse().unwrap(), event, now).is_ok());
        assert!(validate_deadline(event, event, now).is_ok());
        assert_eq!(
            validate_deadline("2027-03-13T12:00:00Z".parse().unwrap(), event, now)
                .unwrap_err()
                .field,
            "reviewDeadline"
        );
        assert_eq!(
            validate_deadline("2027-01-09T12:00:00Z".parse().unwrap(), event, now)
                .unwrap_err()
                .field,
            "reviewDeadline"
        );
    }
}
