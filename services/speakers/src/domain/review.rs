//! The content quality review of an assignment: its status machine (with the revision
//! loop), the abstract checks, and the field-level diff a reviewer sees after a revision.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, StateMachine, Validator};
use utoipa::ToSchema;

use super::SpeakerError;

/// Where a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QualityReviewStatus {
    Pending,
    InReview,
    Approved,
    RequiresChanges,
    Rejected,
    RevisionSubmitted,
}

use QualityReviewStatus::*;

/// Moderator decisions; a revision moves `requires_changes` to `revision_submitted` (the
/// speaker's step, see [`on_revision`]). Approved and rejected are final.
const DECISIONS: &[(QualityReviewStatus, QualityReviewStatus)] = &[
    (Pending, InReview),
    (InReview, Approved),
    (InReview, RequiresChanges),
    (InReview, Rejected),
    (RevisionSubmitted, InReview),
    (RevisionSubmitted, Approved),
    (RevisionSubmitted, RequiresChanges),
    (RevisionSubmitted, Rejected),
];

impl StateMachine for QualityReviewStatus {
    const MACHINE: &'static str = "qualityReview";
    const TRANSITIONS: &'static [(Self, Self)] = DECISIONS;
}

/// Checks a moderator's decision `from → to`.
pub fn decide(
    from: QualityReviewStatus,
    to: QualityReviewStatus,
) -> Result<QualityReviewStatus, SpeakerError> {
    Ok(from.transition(to)?)
}

/// A moderator's decision as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub status: QualityReviewStatus,
    pub feedback: Option<String>,
    pub revision_deadline: Option<DateTime<Utc>>,
}

/// A decision whose feedback and deadline fit its status: feedback (trimmed) is required
/// when changes are required or the content is rejected; a future revision deadline is
/// required when changes are required, and kept only then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDecision {
    pub status: QualityReviewStatus,
    pub feedback: Option<String>,
    pub revision_deadline: Option<DateTime<Utc>>,
}

/// Checks `input` at `now`, reporting every invalid field.
pub fn check_decision(
    input: DecisionInput,
    now: DateTime<Utc>,
) -> Result<CheckedDecision, Vec<FieldError>> {
    let mut v = Validator::new();
    let feedback = v.optional_paragraphs("feedback", input.feedback.as_deref(), 5000);
    if matches!(input.status, RequiresChanges | Rejected) && feedback.is_none() {
        v.reject(
            "feedback",
            "is required when changes are required or the content is rejected",
        );
    }
    let plausible = input
        .revision_deadline
        .is_none_or(|deadline| v.plausible_time("revisionDeadline", deadline));
    let revision_deadline = match (input.status, input.revision_deadline) {
        (RequiresChanges, Some(deadline)) if deadline > now => Some(deadline),
        (RequiresChanges, _) if plausible => {
            v.reject(
                "revisionDeadline",
                "a future deadline is required when changes are required",
            );
            None
        }
        _ => None,
    };
    v.finish()?;
    Ok(CheckedDecision {
        status: input.status,
        feedback,
        revision_deadline,
    })
}

/// The status after the speaker submits content: a first submission waits for review, a
/// revision after `requires_changes` is `revision_submitted`; final reviews refuse changes.
pub fn on_revision(
    current: Option<QualityReviewStatus>,
) -> Result<QualityReviewStatus, SpeakerError> {
    match current {
        None | Some(Pending) => Ok(Pending),
        Some(RequiresChanges) | Some(RevisionSubmitted) => Ok(RevisionSubmitted),
        Some(InReview) => Err(SpeakerError::Conflict(
            "the content is being reviewed; wait for the decision".into(),
        )),
        Some(Approved) | Some(Rejected) => {
            Err(SpeakerError::Conflict("the review is closed".into()))
        }
    }
}

/// One field that changed between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields of `after` that differ from `before` (`(field, value)` pairs in order).
pub fn diff(
    before: &[(&str, Option<String>)],
    after: &[(&str, Option<String>)],
) -> Vec<FieldChange> {
    after
        .iter()
        .zip(before)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| FieldChange {
            field: (*field).to_owned(),
            before: b.clone(),
            after: a.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(status: QualityReviewStatus, feedback: &str, days: Option<i64>) -> DecisionInput {
        DecisionInput {
            status,
            feedback: Some(feedback.to_owned()),
            revision_deadline: days.map(|d| Utc::now() + chrono::Duration::days(d)),
        }
    }

    #[test]
    fn requiring_changes_needs_feedback_and_a_future_deadline() {
        let errors = check_decision(asked(RequiresChanges, " ", None), Utc::now()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["feedback", "revisionDeadline"]);
        assert!(
            check_decision(asked(RequiresChanges, "More detail", Some(-1)), Utc::now()).is_err()
        );
        let ok =
            check_decision(asked(RequiresChanges, " More detail ", Some(7)), Utc::now()).unwrap();
        assert_eq!(ok.feedback.as_deref(), Some("More detail"));
        assert!(ok.revision_deadline.is_some());
    }

    #[test]
    fn an_approval_keeps_no_deadline() {
        let ok = check_decision(asked(Approved, "", Some(7)), Utc::now()).unwrap();
        assert_eq!((ok.feedback, ok.revision_deadline), (None, None));
    }

    #[test]
    fn the_revision_loop_runs_until_a_final_decision() {
        assert_eq!(on_revision(None).unwrap(), Pending);
        assert_eq!(decide(Pending, InReview).unwrap(), InReview);
        assert_eq!(decide(InReview, RequiresChanges).unwrap(), RequiresChanges);
        assert_eq!(
            on_revision(Some(RequiresChanges)).unwrap(),
            RevisionSubmitted
        );
        assert_eq!(decide(RevisionSubmitted, Approved).unwrap(), Approved);
        assert!(on_revision(Some(Approved)).is_err());
        assert!(decide(Approved, InReview).is_err());
        assert!(decide(Pending, Approved).is_err());
    }

    #[test]
    fn the_diff_names_changed_fields_only() {
        let before = [
            ("abstract", Some("old".to_owned())),
            ("bio", Some("same".to_owned())),
            ("photoUrl", None),
        ];
        let after = [
            ("abstract", Some("new".to_owned())),
            ("bio", Some("same".to_owned())),
            ("photoUrl", Some("https://x".to_owned())),
        ];
        let changes = diff(&before, &after);
        assert_eq!(
            changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
            ["abstract", "photoUrl"]
        );
        assert_eq!(changes[0].before.as_deref(), Some("old"));
    }
}
