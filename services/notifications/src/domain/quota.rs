//! The storage quota warning: whose mail it is (the ids of the person's token) and the
//! figures it shows. Sizes are in MB of 1024 × 1024 bytes, written with a decimal point
//! in both languages (as Swiss German writes them).

use uuid::Uuid;

const MB: f64 = 1024.0 * 1024.0;

/// Who a warning is mailed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaHolder {
    /// A speaker or an attendee: their own recipient entry.
    Person(Uuid),
    /// A partner integration: the primary contact of the company's partner.
    PartnerOf(Uuid),
}

/// The recipients to try, in order, for a warning naming these ids; the first one known
/// gets the mail. A person named by their own ids is never mailed through a company
/// (a speaker's token may name their employer), so the company counts only alone.
pub fn holders(
    speaker_id: Option<Uuid>,
    attendee_id: Option<Uuid>,
    company_id: Option<Uuid>,
) -> Vec<QuotaHolder> {
    let people: Vec<QuotaHolder> = [speaker_id, attendee_id]
        .into_iter()
        .flatten()
        .map(QuotaHolder::Person)
        .collect();
    if people.is_empty() {
        company_id.map(QuotaHolder::PartnerOf).into_iter().collect()
    } else {
        people
    }
}

/// The figures of a warning as its template shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaFigures {
    /// The storage in use, in MB with one decimal.
    pub usage: String,
    /// The quota, in MB (a decimal only when it is not a whole number).
    pub limit: String,
    /// The share in use, a whole percentage (rounded down: a warning at 80 % never reads
    /// as more than is used).
    pub percentage: String,
}

impl QuotaFigures {
    pub fn of(usage_bytes: i64, limit_bytes: i64, percentage_used: f64) -> Self {
        let limit = format!("{:.1}", limit_bytes as f64 / MB);
        let percentage = if percentage_used.is_finite() && percentage_used > 0.0 {
            percentage_used.floor() as i64
        } else {
            0
        };
        Self {
            usage: format!("{:.1}", usage_bytes as f64 / MB),
            limit: limit.strip_suffix(".0").unwrap_or(&limit).to_owned(),
            percentage: percentage.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speaker_is_mailed_as_themselves_never_through_their_company() {
        let (speaker, company) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            holders(Some(speaker), None, Some(company)),
            [QuotaHolder::Person(speaker)]
        );
    }

    #[test]
    fn a_person_known_as_speaker_and_attendee_is_tried_as_both() {
        let (speaker, attendee) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            holders(Some(speaker), Some(attendee), None),
            [QuotaHolder::Person(speaker), QuotaHolder::Person(attendee)]
        );
    }

    #[test]
    fn a_partner_integration_is_mailed_through_its_partner() {
        let company = Uuid::now_v7();
        assert_eq!(
            holders(None, None, Some(company)),
            [QuotaHolder::PartnerOf(company)]
        );
        assert!(holders(None, None, None).is_empty());
    }

    #[test]
    fn usage_shows_one_decimal_the_limit_whole_mb_and_the_percentage_rounded_down() {
        let figures = QuotaFigures::of(85 * 1024 * 1024 + 300 * 1024, 100 * 1024 * 1024, 85.29);
        assert_eq!(figures.usage, "85.3");
        assert_eq!(figures.limit, "100");
        assert_eq!(figures.percentage, "85");
        assert_eq!(QuotaFigures::of(0, 1536 * 1024, 80.99).limit, "1.5");
        assert_eq!(QuotaFigures::of(0, 1, 99.999).percentage, "99");
        assert_eq!(QuotaFigures::of(0, 1, f64::NAN).percentage, "0");
    }
}
