//! A partner: its tier, its partnership period (active from the start date to the end date,
//! both inclusive) and its benefits, the tier's catalogue with per-partner overrides.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse};
use utoipa::ToSchema;

pub use shared_domain::contracts::partners::PartnershipTier;

/// A benefit a partnership can include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// The logo on the website and the event pages.
    LogoPlacement,
    /// The logo on the event's printed and projected material.
    LogoOnSlides,
    /// A mention in the newsletter.
    NewsletterMention,
    /// Free tickets for employees.
    FreeTickets,
    /// A booth at the events.
    Booth,
    /// A talk slot at an event per year.
    TalkSlot,
    /// A seat in the topic-planning meetings.
    TopicPlanningSeat,
}

/// Every benefit, in catalogue order.
pub const BENEFITS: [Benefit; 7] = [
    Benefit::LogoPlacement,
    Benefit::LogoOnSlides,
    Benefit::NewsletterMention,
    Benefit::FreeTickets,
    Benefit::Booth,
    Benefit::TalkSlot,
    Benefit::TopicPlanningSeat,
];

/// The benefits a tier includes (the catalogue): each tier adds to the one below it.
pub fn catalogue(tier: PartnershipTier) -> &'static [Benefit] {
    use Benefit::*;
    match tier {
        PartnershipTier::Bronze => &[LogoPlacement],
        PartnershipTier::Silver => &[LogoPlacement, NewsletterMention],
        PartnershipTier::Gold => &[LogoPlacement, NewsletterMention, LogoOnSlides, FreeTickets],
        PartnershipTier::Platinum => &[
            LogoPlacement,
            NewsletterMention,
            LogoOnSlides,
            FreeTickets,
            Booth,
        ],
        PartnershipTier::Strategic => &[
            LogoPlacement,
            NewsletterMention,
            LogoOnSlides,
            FreeTickets,
            Booth,
            TalkSlot,
            TopicPlanningSeat,
        ],
    }
}

/// The benefits a partner has: its tier's catalogue, with overrides adding (`true`) or
/// removing (`false`) single benefits.
pub fn benefits(tier: PartnershipTier, overrides: &BTreeMap<Benefit, bool>) -> Vec<Benefit> {
    BENEFITS
        .into_iter()
        .filter(|b| {
            overrides
                .get(b)
                .copied()
                .unwrap_or_else(|| catalogue(tier).contains(b))
        })
        .collect()
}

/// Whether a partnership running from `start` to `end` (inclusive) is active on `today`.
pub fn is_active(start: NaiveDate, end: Option<NaiveDate>, today: NaiveDate) -> bool {
    start <= today && end.is_none_or(|end| today <= end)
}

/// What an organizer sets of a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFields {
    pub tier: PartnershipTier,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub benefit_overrides: BTreeMap<Benefit, bool>,
}

/// Dates before this are typos.
const EARLIEST: (i32, u32, u32) = (2000, 1, 1);
/// Dates after this are typos.
const LATEST: (i32, u32, u32) = (2100, 12, 31);

impl Parse for PartnerFields {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let plausible = |d: NaiveDate| {
            let (y, m, day) = EARLIEST;
            let (ly, lm, ld) = LATEST;
            NaiveDate::from_ymd_opt(y, m, day).is_some_and(|e| d >= e)
                && NaiveDate::from_ymd_opt(ly, lm, ld).is_some_and(|l| d <= l)
        };
        if !plausible(self.start_date) {
            errors.push(FieldError::new(
                "partnershipStartDate",
                "must lie between 2000-01-01 and 2100-12-31",
            ));
        }
        if let Some(end) = self.end_date {
            if !plausible(end) {
                errors.push(FieldError::new(
                    "partnershipEndDate",
                    "must lie between 2000-01-01 and 2100-12-31",
                ));
            } else if end < self.start_date {
                errors.push(FieldError::new(
                    "partnershipEndDate",
                    "must not be before partnershipStartDate",
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn active_from_start_to_end_inclusive() {
        let (start, end) = (day(2026, 1, 1), Some(day(2026, 12, 31)));
        assert!(!is_active(start, end, day(2025, 12, 31)));
        assert!(is_active(start, end, day(2026, 1, 1)));
        assert!(is_active(start, end, day(2026, 12, 31)));
        assert!(!is_active(start, end, day(2027, 1, 1)));
        assert!(is_active(start, None, day(2040, 1, 1)));
    }

    #[test]
    fn overrides_add_and_remove_single_benefits() {
        let mut overrides = BTreeMap::new();
        overrides.insert(Benefit::Booth, true);
        overrides.insert(Benefit::NewsletterMention, false);
        assert_eq!(
            benefits(PartnershipTier::Silver, &overrides),
            [Benefit::LogoPlacement, Benefit::Booth]
        );
        assert_eq!(
            benefits(PartnershipTier::Strategic, &BTreeMap::new()).len(),
            BENEFITS.len()
        );
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let fields = PartnerFields {
            tier: PartnershipTier::Gold,
            start_date: day(2026, 6, 1),
            end_date: Some(day(2026, 5, 31)),
            benefit_overrides: BTreeMap::new(),
        };
        let errors = fields.check().unwrap_err();
        assert_eq!(errors[0].field, "partnershipEndDate");
    }
}
