//! Escalation rules: reminders at tier 1/2/3 hours before a material deadline, then an
//! alert to the backup organizers once the threshold after tier 3 has passed with nothing
//! submitted. Only the latest due tier is mailed (a speaker who accepts late does not get
//! three reminders at once).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::validation::{FieldError, Validator};
use utoipa::ToSchema;

use super::TemplateType;

/// What an escalation rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    /// Speakers' material, due at the rule's material deadline after they accepted.
    SpeakerDeadline,
    /// Revisions the quality review asked for, due at each revision deadline.
    ContentReview,
}

/// The timing of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiers {
    pub tier_1_hours: i32,
    pub tier_2_hours: i32,
    pub tier_3_hours: i32,
    /// Minutes after the tier 3 time before backups are alerted; none: never.
    pub threshold_minutes: Option<i32>,
}

/// The scheduler's next step for one open obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Remind { tier: i32 },
    Escalate,
    Wait,
}

impl Tiers {
    /// tier 1 > tier 2 > tier 3 ≥ 0 hours, and a threshold that is not negative.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut v = Validator::new();
        self.check(&mut v);
        v.finish()
    }

    /// Records in `v` what is wrong with these tiers (see [`Tiers::validate`]).
    pub fn check(&self, v: &mut Validator) {
        if self.tier_3_hours < 0 {
            v.reject("tier3HoursBefore", "must not be negative");
        }
        if self.tier_2_hours <= self.tier_3_hours {
            v.reject("tier2HoursBefore", "must be greater than tier3HoursBefore");
        }
        if self.tier_1_hours <= self.tier_2_hours {
            v.reject("tier1HoursBefore", "must be greater than tier2HoursBefore");
        }
        if self.tier_1_hours > 24 * 365 {
            v.reject("tier1HoursBefore", "must be at most a year");
        }
        if self
            .threshold_minutes
            .is_some_and(|m| !(0..=60 * 24 * 90).contains(&m))
        {
            v.reject(
                "escalationThreshold",
                "must be between 0 and 129600 minutes",
            );
        }
    }

    fn hours(&self, tier: i32) -> i32 {
        match tier {
            1 => self.tier_1_hours,
            2 => self.tier_2_hours,
            _ => self.tier_3_hours,
        }
    }

    /// When tier `tier` is due for `deadline`.
    pub fn due(&self, tier: i32, deadline: DateTime<Utc>) -> DateTime<Utc> {
        deadline - Duration::hours(i64::from(self.hours(tier)))
    }

    /// What to do now for an obligation due at `deadline` that got `tiers_sent` reminders.
    pub fn next_step(
        &self,
        deadline: DateTime<Utc>,
        tiers_sent: i32,
        escalated: bool,
        now: DateTime<Utc>,
    ) -> Step {
        let due = (1..=3).rev().find(|&t| now >= self.due(t, deadline));
        match due {
            Some(tier) if tier > tiers_sent => Step::Remind { tier },
            Some(3) if !escalated => match self.threshold_minutes {
                Some(m) if now >= self.due(3, deadline) + Duration::minutes(i64::from(m)) => {
                    Step::Escalate
                }
                _ => Step::Wait,
            },
            _ => Step::Wait,
        }
    }
}

/// The template of a tier's reminder.
pub fn reminder_template(tier: i32) -> TemplateType {
    match tier {
        1 => TemplateType::DeadlineReminder48h,
        2 => TemplateType::DeadlineReminder24h,
        _ => TemplateType::DeadlineCritical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIERS: Tiers = Tiers {
        tier_1_hours: 48,
        tier_2_hours: 24,
        tier_3_hours: 2,
        threshold_minutes: Some(60),
    };

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn tiers_follow_each_other_then_escalate() {
        let deadline = at("2027-03-10T12:00:00Z");
        let step = |sent, escalated, now| TIERS.next_step(deadline, sent, escalated, at(now));
        assert_eq!(step(0, false, "2027-03-08T11:59:00Z"), Step::Wait);
        assert_eq!(
            step(0, false, "2027-03-08T12:00:00Z"),
            Step::Remind { tier: 1 }
        );
        assert_eq!(step(1, false, "2027-03-09T11:00:00Z"), Step::Wait);
        assert_eq!(
            step(1, false, "2027-03-09T12:00:00Z"),
            Step::Remind { tier: 2 }
        );
        assert_eq!(
            step(2, false, "2027-03-10T10:00:00Z"),
            Step::Remind { tier: 3 }
        );
        assert_eq!(step(3, false, "2027-03-10T10:59:00Z"), Step::Wait);
        assert_eq!(step(3, false, "2027-03-10T11:00:00Z"), Step::Escalate);
        assert_eq!(step(3, true, "2027-03-11T11:00:00Z"), Step::Wait);
    }

    #[test]
    fn a_late_start_sends_only_the_latest_tier() {
        let deadline = at("2027-03-10T12:00:00Z");
        assert_eq!(
            TIERS.next_step(deadline, 0, false, at("2027-03-10T11:00:00Z")),
            Step::Remind { tier: 3 }
        );
    }

    #[test]
    fn tiers_must_decrease() {
        let bad = Tiers {
            tier_1_hours: 24,
            tier_2_hours: 24,
            tier_3_hours: -1,
            threshold_minutes: Some(-5),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "tier3HoursBefore",
                "tier1HoursBefore",
                "escalationThreshold"
            ]
        );
    }
}
