//! The topic library's rules: a topic's fields, how long a used topic rests before it is
//! safe to reuse (its wait period and staleness score), and how partner votes weigh on it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;

/// What a topic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopicCategory {
    Technical,
    Management,
    SoftSkills,
    IndustryTrends,
    ToolsPlatforms,
}

/// Everything organizers set on a topic.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFields {
    pub title: String,
    pub description: Option<String>,
    pub category: TopicCategory,
    pub is_active: bool,
}

/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 500;
/// Longest description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 5000;

impl Parse for TopicFields {
    /// Trims the texts and checks their lengths; a blank description counts as absent.
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let title = v.text("title", &self.title, TITLE_MAX_CHARS);
        let description = v.optional_text(
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX_CHARS,
        );
        let title = v.finish_with(title)?;
        Ok(Self {
            title,
            description,
            ..self
        })
    }
}

/// Months a topic rests after its first use.
pub const BASE_WAIT_MONTHS: f64 = 12.0;
/// Extra months of rest for each use after the first.
pub const WAIT_PER_REUSE_MONTHS: f64 = 3.0;
/// Reuses beyond this many add no further rest.
pub const MAX_COUNTED_REUSES: i32 = 4;
/// The feedback score (0–5) that neither shortens nor lengthens the rest.
pub const NEUTRAL_FEEDBACK: f64 = 2.5;
/// Months of rest removed per feedback point above neutral (added per point below): excellent
/// feedback (5) shortens the rest by 6 months, the worst (0) lengthens it by 6.
pub const MONTHS_PER_FEEDBACK_POINT: f64 = 2.4;

/// The average length of a month, in days.
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// How safe a topic is to reuse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staleness {
    /// 0–100 with two decimals; 100 = rested long enough (or never used), 0 = just used.
    pub score: f64,
    /// Months the topic should rest after its last use; 0 when never used.
    pub wait_months: i32,
}

/// The staleness of a topic.
///
/// `wait = round(12 + 3 × min(uses − 1, 4) + 2.4 × (2.5 − feedback))` months, where the
/// feedback term is 0 without feedback, so it lies between 6 (one use, feedback 5) and 30
/// (five or more uses, feedback 0): every reuse wears a topic out with the same audience,
/// while good feedback shows the audience wants more of it. Then
/// `score = clamp(100 × months since last use / wait, 0, 100)`, rounded to two decimals.
/// A never-used topic scores 100 and has no wait. A last use in the future (a topic assigned
/// to an upcoming event) counts as just used. The score never falls as time passes or as
/// feedback improves, and never rises with more uses.
pub fn staleness(
    months_since_last_use: Option<f64>,
    usage_count: i32,
    average_feedback: Option<f64>,
) -> Staleness {
    let Some(months) = months_since_last_use else {
        return Staleness {
            score: 100.0,
            wait_months: 0,
        };
    };
    let reuses = (usage_count.max(1) - 1).min(MAX_COUNTED_REUSES);
    let feedback = average_feedback.map_or(0.0, |f| {
        (NEUTRAL_FEEDBACK - f.clamp(0.0, 5.0)) * MONTHS_PER_FEEDBACK_POINT
    });
    let wait = (BASE_WAIT_MONTHS + WAIT_PER_REUSE_MONTHS * f64::from(reuses) + feedback).round();
    // The wait is at least 6 months, so the division is safe.
    let score = (100.0 * months.max(0.0) / wait).min(100.0);
    Staleness {
        score: (score * 100.0).round() / 100.0,
        wait_months: wait as i32,
    }
}

/// Fractional months from `last_used` to `now` (negative when `last_used` is later).
pub fn months_since(last_used: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    (now - last_used).num_seconds() as f64 / (86_400.0 * DAYS_PER_MONTH)
}

/// The mean of the feedback scores given so far; `None` when no use has feedback yet.
pub fn average_feedback(scores: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let given: Vec<f64> = scores.into_iter().flatten().collect();
    (!given.is_empty()).then(|| given.iter().sum::<f64>() / given.len() as f64)
}

pub use shared_domain::contracts::partners::PartnershipTier;

/// One partner's vote on a topic: 1 (no interest) to 5 (strong interest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicVote {
    pub tier: PartnershipTier,
    pub value: u8,
}

/// The partner influence score of a topic: the tier-weighted mean vote mapped onto 0–100
/// (all votes 1 → 0, all votes 5 → 100), two decimals; `None` without votes. Values
/// outside 1–5 (which the partner context refuses) are clamped.
pub fn partner_influence(votes: &[TopicVote]) -> Option<f64> {
    let total_weight: u32 = votes.iter().map(|v| v.tier.vote_weight()).sum();
    if total_weight == 0 {
        return None;
    }
    let weighted: u32 = votes
        .iter()
        .map(|v| v.tier.vote_weight() * u32::from(v.value.clamp(1, 5) - 1))
        .sum();
    let score = 100.0 * f64::from(weighted) / (4.0 * f64::from(total_weight));
    Some((score * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_domain::Valid;

    fn fields(title: &str, description: Option<&str>) -> TopicFields {
        TopicFields {
            title: title.into(),
            description: description.map(Into::into),
            category: TopicCategory::Technical,
            is_active: true,
        }
    }

    #[test]
    fn titles_and_descriptions_are_trimmed_and_bounded() {
        let ok = fields("  Event Sourcing  ", Some("   "))
            .into_valid()
            .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.description.clone()),
            ("Event Sourcing", None)
        );
        assert!(fields(
            &"ä".repeat(TITLE_MAX_CHARS),
            Some(&"d".repeat(DESCRIPTION_MAX_CHARS))
        )
        .into_valid()
        .is_ok());
        let errors = fields(
            &"ä".repeat(TITLE_MAX_CHARS + 1),
            Some(&"d".repeat(DESCRIPTION_MAX_CHARS + 1)),
        )
        .into_valid()
        .unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["title", "description"]);
        assert_eq!(
            Valid::parse(fields(" ", None)).unwrap_err()[0].field,
            "title"
        );
    }

    #[test]
    fn a_never_used_topic_is_fully_stale_with_no_wait() {
        assert_eq!(
            staleness(None, 0, None),
            Staleness {
                score: 100.0,
                wait_months: 0
            }
        );
        assert_eq!(
            staleness(None, 0, Some(0.0)),
            Staleness {
                score: 100.0,
                wait_months: 0
            }
        );
    }

    #[test]
    fn a_just_used_or_upcoming_topic_scores_zero() {
        assert_eq!(
            staleness(Some(0.0), 1, None),
            Staleness {
                score: 0.0,
                wait_months: 12
            }
        );
        assert_eq!(staleness(Some(-3.0), 1, None).score, 0.0);
    }

    #[test]
    fn the_score_reaches_100_exactly_at_the_wait_period_and_stays_there() {
        assert_eq!(staleness(Some(6.0), 1, None).score, 50.0);
        assert_eq!(staleness(Some(12.0), 1, None).score, 100.0);
        assert_eq!(staleness(Some(40.0), 1, None).score, 100.0);
        assert_eq!(staleness(Some(1.0), 1, None).score, 8.33);
    }

    #[test]
    fn reuses_lengthen_the_wait_up_to_a_cap() {
        let waits: Vec<i32> = (1..=7)
            .map(|uses| staleness(Some(1.0), uses, None).wait_months)
            .collect();
        assert_eq!(waits, [12, 15, 18, 21, 24, 24, 24]);
        assert_eq!(
            staleness(Some(1.0), 0, None).wait_months,
            12,
            "a recorded use counts once at least"
        );
    }

    #[test]
    fn missing_feedback_is_neutral_and_extreme_feedback_moves_the_wait_by_six_months() {
        assert_eq!(
            staleness(Some(1.0), 1, None).wait_months,
            staleness(Some(1.0), 1, Some(NEUTRAL_FEEDBACK)).wait_months
        );
        assert_eq!(staleness(Some(1.0), 1, Some(5.0)).wait_months, 6);
        assert_eq!(staleness(Some(1.0), 1, Some(0.0)).wait_months, 18);
        assert_eq!(staleness(Some(1.0), 5, Some(0.0)).wait_months, 30);
        assert_eq!(
            staleness(Some(1.0), 1, Some(9.0)).wait_months,
            6,
            "feedback is clamped to 0–5"
        );
        assert_eq!(staleness(Some(1.0), 1, Some(-2.0)).wait_months, 18);
    }

    #[test]
    fn the_score_is_monotone_in_time_feedback_and_uses() {
        let mut last = -1.0;
        for month in 0..40 {
            let score = staleness(Some(f64::from(month) / 2.0), 3, Some(3.5)).score;
            assert!(score >= last && (0.0..=100.0).contains(&score));
            last = score;
        }
        let by_feedback: Vec<f64> = [0.0, 1.0, 2.5, 4.0, 5.0]
            .iter()
            .map(|f| staleness(Some(5.0), 2, Some(*f)).score)
            .collect();
        assert!(
            by_feedback.windows(2).all(|w| w[0] <= w[1]),
            "{by_feedback:?}"
        );
        let by_uses: Vec<f64> = (1..8)
            .map(|uses| staleness(Some(5.0), uses, None).score)
            .collect();
        assert!(by_uses.windows(2).all(|w| w[0] >= w[1]), "{by_uses:?}");
    }

    #[test]
    fn months_and_feedback_are_derived_from_the_history() {
        let used: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let months = months_since(used, "2027-01-01T00:00:00Z".parse().unwrap());
        assert!((months - 12.0).abs() < 0.05, "{months}");
        assert!(months_since(used, "2025-12-01T00:00:00Z".parse().unwrap()) < 0.0);
        assert_eq!(average_feedback([Some(4.0), None, Some(5.0)]), Some(4.5));
        assert_eq!(average_feedback([None, None]), None);
    }

    #[test]
    fn partner_votes_weigh_by_tier() {
        let vote = |tier, value| TopicVote { tier, value };
        assert_eq!(partner_influence(&[]), None);
        assert_eq!(
            partner_influence(&[vote(PartnershipTier::Bronze, 5)]),
            Some(100.0)
        );
        assert_eq!(
            partner_influence(&[vote(PartnershipTier::Gold, 1)]),
            Some(0.0)
        );
        let mixed = [
            vote(PartnershipTier::Platinum, 5),
            vote(PartnershipTier::Silver, 1),
        ];
        assert_eq!(
            partner_influence(&mixed),
            Some(75.0),
            "platinum counts three times as much as silver"
        );
        assert_eq!(
            partner_influence(&[
                vote(PartnershipTier::Gold, 3),
                vote(PartnershipTier::Strategic, 4)
            ]),
            Some(65.0)
        );
        assert_eq!(
            partner_influence(&[
                vote(PartnershipTier::Silver, 0),
                vote(PartnershipTier::Silver, 9)
            ]),
            Some(50.0)
        );
    }
}
