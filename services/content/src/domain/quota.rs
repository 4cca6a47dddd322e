//! Storage quotas: organizers unlimited, other roles a configurable limit; an upload link
//! is refused when what is stored, what is still being uploaded and the new file together
//! would exceed the limit; a warning once per crossing of 80 %.

use serde::Serialize;

/// The share of a quota at which its holder is warned, in percent.
pub const WARNING_PERCENT: i64 = 80;

/// The limit of each role, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaLimits {
    pub speaker: i64,
    pub partner: i64,
    pub attendee: i64,
}

/// The roles a quota is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaRole {
    Organizer,
    Speaker,
    Partner,
    Attendee,
}

impl QuotaLimits {
    /// The limit of `role`; `None` for organizers (unlimited).
    pub fn limit_for(&self, role: QuotaRole) -> Option<i64> {
        match role {
            QuotaRole::Organizer => None,
            QuotaRole::Speaker => Some(self.speaker),
            QuotaRole::Partner => Some(self.partner),
            QuotaRole::Attendee => Some(self.attendee),
        }
    }
}

/// An upload the quota cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    pub limit_bytes: i64,
    pub usage_bytes: i64,
    pub pending_bytes: i64,
    pub requested_bytes: i64,
}

/// Refuses `requested` bytes when stored + pending + requested would exceed `limit`.
pub fn check(limit: i64, usage: i64, pending: i64, requested: i64) -> Result<(), QuotaExceeded> {
    if usage.saturating_add(pending).saturating_add(requested) > limit {
        return Err(QuotaExceeded {
            limit_bytes: limit,
            usage_bytes: usage,
            pending_bytes: pending,
            requested_bytes: requested,
        });
    }
    Ok(())
}

/// Whether `usage` is at or above the warning threshold of `limit`.
pub fn above_warning(usage: i64, limit: i64) -> bool {
    limit > 0 && usage.saturating_mul(100) >= limit.saturating_mul(WARNING_PERCENT)
}

/// The share of `limit` that `usage` takes, in percent with one decimal.
pub fn percentage(usage: i64, limit: i64) -> f64 {
    if limit <= 0 {
        return 0.0;
    }
    (usage as f64 * 1000.0 / limit as f64).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_uploads_count_against_the_quota() {
        assert!(check(100, 50, 0, 50).is_ok());
        let refused = check(100, 50, 30, 30).unwrap_err();
        assert_eq!((refused.usage_bytes, refused.pending_bytes), (50, 30));
    }

    #[test]
    fn organizers_are_unlimited() {
        let limits = QuotaLimits {
            speaker: 1,
            partner: 2,
            attendee: 3,
        };
        assert_eq!(limits.limit_for(QuotaRole::Organizer), None);
        assert_eq!(limits.limit_for(QuotaRole::Partner), Some(2));
    }

    #[test]
    fn the_warning_starts_at_eighty_percent() {
        assert!(!above_warning(79, 100));
        assert!(above_warning(80, 100));
        assert_eq!(percentage(1, 3), 33.3);
    }
}
