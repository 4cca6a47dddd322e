//! Topic suggestions: submitted → under_review → accepted | rejected (with a reason);
//! accepted → implemented when an event uses the topic it became.

use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, StateMachine, Validator};
use utoipa::ToSchema;

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    Submitted,
    UnderReview,
    Accepted,
    Rejected,
    Implemented,
}

impl StateMachine for SuggestionStatus {
    const MACHINE: &'static str = "status";
    const TRANSITIONS: &'static [(Self, Self)] = &[
        (Self::Submitted, Self::UnderReview),
        (Self::Submitted, Self::Accepted),
        (Self::Submitted, Self::Rejected),
        (Self::UnderReview, Self::Accepted),
        (Self::UnderReview, Self::Rejected),
        (Self::Accepted, Self::Implemented),
    ];
}

/// The topic categories of the library (the events context's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestedCategory {
    Technical,
    Management,
    SoftSkills,
    IndustryTrends,
    ToolsPlatforms,
}

/// What a partner suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionFields {
    pub title: String,
    pub description: Option<String>,
    pub business_justification: Option<String>,
    pub category: SuggestedCategory,
}

impl Parse for SuggestionFields {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let title = v.text("title", &self.title, 500);
        let description = v.optional_paragraphs("description", self.description.as_deref(), 5000);
        let business_justification = v.optional_paragraphs(
            "businessJustification",
            self.business_justification.as_deref(),
            5000,
        );
        let title = v.finish_with(title)?;
        Ok(Self {
            title,
            description,
            business_justification,
            category: self.category,
        })
    }
}

/// An organizer's decision on a suggestion; a rejection needs a reason.
pub fn check_decision(
    status: SuggestionStatus,
    reason: Option<&str>,
) -> Result<Option<String>, Vec<FieldError>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match (status, reason) {
        (SuggestionStatus::Rejected, None) => Err(vec![FieldError::new(
            "reason",
            "a rejection needs a reason the partner can read",
        )]),
        (SuggestionStatus::Rejected, Some(r)) => {
            let mut v = Validator::new();
            let r = v.paragraphs("reason", r, 2000);
            v.finish_with(r).map(Some)
        }
        (SuggestionStatus::UnderReview | SuggestionStatus::Accepted, _) => Ok(None),
        _ => Err(vec![FieldError::new(
            "status",
            "must be under_review, accepted or rejected",
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_reason_and_implemented_follows_accepted() {
        assert!(check_decision(SuggestionStatus::Rejected, Some("  ")).is_err());
        assert_eq!(
            check_decision(SuggestionStatus::Rejected, Some("covered in 2025")),
            Ok(Some("covered in 2025".into()))
        );
        assert!(check_decision(SuggestionStatus::Implemented, None).is_err());
        assert!(SuggestionStatus::Submitted
            .transition(SuggestionStatus::Implemented)
            .is_err());
        assert!(SuggestionStatus::Accepted
            .transition(SuggestionStatus::Implemented)
            .is_ok());
        assert!(SuggestionStatus::Rejected
            .transition(SuggestionStatus::Accepted)
            .is_err());
    }
}
