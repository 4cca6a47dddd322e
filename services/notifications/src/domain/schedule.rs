//! When a notification may go out: a person's preference for its type decides whether it
//! is sent at all, gathered into a digest, or held back until their quiet hours end.
//! Times of day are Bern's (Europe/Zurich), where the conference and its people are.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Zurich;

use super::{Frequency, TemplateType};

/// The hour (Bern time) digests go out.
pub const DIGEST_HOUR: u32 = 8;

/// A daily window without immediate mail; it may span midnight (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// The earliest moment at or after `at` outside the quiet hours.
    pub fn release(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let local = at.with_timezone(&Zurich);
        let (date, time) = (local.date_naive(), local.time());
        let end_on = |day: NaiveDate| bern_to_utc(day, self.end);
        if self.start < self.end {
            if time >= self.start && time < self.end {
                return end_on(date);
            }
        } else if time >= self.start {
            return end_on(date + Days::new(1));
        } else if time < self.end {
            return end_on(date);
        }
        at
    }
}

/// What a person's preference for a notification type says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preference {
    pub is_enabled: bool,
    pub frequency: Frequency,
    pub quiet_hours: Option<QuietHours>,
}

/// What becomes of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// Send it once `at` has come.
    Send { at: DateTime<Utc> },
    /// Keep it for the next digest of this frequency.
    Hold(Frequency),
    /// Do not send it, for this reason.
    Suppress(&'static str),
}

/// Decides a notification of `template_type` for a person with `preference` (none: the
/// defaults, immediate) who allows optional mail or not. Mandatory mails always go now.
pub fn dispatch(
    template_type: TemplateType,
    preference: Option<Preference>,
    optional_mail: bool,
    now: DateTime<Utc>,
) -> Dispatch {
    if template_type.is_mandatory() {
        return Dispatch::Send { at: now };
    }
    if !optional_mail {
        return Dispatch::Suppress("the recipient opted out of optional mail");
    }
    let Some(preference) = preference else {
        return Dispatch::Send { at: now };
    };
    if !preference.is_enabled {
        return Dispatch::Suppress("disabled in the recipient's preferences");
    }
    match preference.frequency {
        Frequency::Immediate => Dispatch::Send {
            at: preference
                .quiet_hours
                .map_or(now, |quiet| quiet.release(now)),
        },
        digest => Dispatch::Hold(digest),
    }
}

/// When the digest of `frequency` that first holds a notification from `since` is due:
/// the next 08:00 in Bern (daily), or the next Monday 08:00 (weekly).
pub fn digest_due(frequency: Frequency, since: DateTime<Utc>) -> DateTime<Utc> {
    let local = since.with_timezone(&Zurich).date_naive();
    let digest_time = NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).expect("valid hour");
    let mut day = local;
    loop {
        let candidate = bern_to_utc(day, digest_time);
        let right_day = frequency != Frequency::WeeklyDigest || day.weekday() == Weekday::Mon;
        if candidate > since && right_day {
            return candidate;
        }
        day = day + Days::new(1);
    }
}

/// A Bern wall-clock time as UTC; a time in the spring-forward gap (02:00–03:00) becomes
/// the first valid minute after it (03:00).
fn bern_to_utc(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = day.and_time(time);
    (0..=120)
        .find_map(|minutes| {
            Zurich
                .from_local_datetime(&(naive + chrono::Duration::minutes(minutes)))
                .earliest()
        })
        .expect("a Bern time exists within two hours of any wall-clock time")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn quiet(start: &str, end: &str) -> QuietHours {
        QuietHours {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    #[test]
    fn overnight_quiet_hours_release_at_their_end() {
        let q = quiet("22:00:00", "07:00:00");
        // 23:30 in Bern (winter, UTC+1) → 07:00 next morning.
        assert_eq!(
            q.release(utc("2026-11-25T22:30:00Z")),
            utc("2026-11-26T06:00:00Z")
        );
        // 05:00 in Bern → 07:00 the same morning.
        assert_eq!(
            q.release(utc("2026-11-26T04:00:00Z")),
            utc("2026-11-26T06:00:00Z")
        );
        // 12:00 is outside.
        assert_eq!(
            q.release(utc("2026-11-26T11:00:00Z")),
            utc("2026-11-26T11:00:00Z")
        );
    }

    #[test]
    fn daytime_quiet_hours_release_at_their_end() {
        let q = quiet("12:00:00", "13:30:00");
        assert_eq!(
            q.release(utc("2026-07-01T10:15:00Z")),
            utc("2026-07-01T11:30:00Z")
        );
        assert_eq!(
            q.release(utc("2026-07-01T11:30:00Z")),
            utc("2026-07-01T11:30:00Z")
        );
    }

    #[test]
    fn quiet_hours_ending_in_the_spring_gap_release_at_three() {
        // 2027-03-28: Bern skips from 02:00 to 03:00; quiet hours end at 02:30.
        let q = quiet("22:00:00", "02:30:00");
        assert_eq!(
            q.release(utc("2027-03-27T23:00:00Z")),
            utc("2027-03-28T01:00:00Z"),
            "03:00 CEST"
        );
    }

    #[test]
    fn mandatory_mail_ignores_preferences() {
        let off = Preference {
            is_enabled: false,
            frequency: Frequency::DailyDigest,
            quiet_hours: Some(quiet("00:00:00", "23:59:00")),
        };
        let now = utc("2026-11-25T12:00:00Z");
        assert_eq!(
            dispatch(TemplateType::RegistrationConfirmed, Some(off), false, now),
            Dispatch::Send { at: now }
        );
        assert!(matches!(
            dispatch(TemplateType::EventPublished, Some(off), true, now),
            Dispatch::Suppress(_)
        ));
        assert!(matches!(
            dispatch(TemplateType::EventPublished, None, false, now),
            Dispatch::Suppress(_)
        ));
    }

    #[test]
    fn digests_go_out_at_eight_in_bern() {
        // Wednesday 2026-11-25 09:00 Bern.
        let since = utc("2026-11-25T08:00:00Z");
        assert_eq!(
            digest_due(Frequency::DailyDigest, since),
            utc("2026-11-26T07:00:00Z")
        );
        assert_eq!(
            digest_due(Frequency::WeeklyDigest, since),
            utc("2026-11-30T07:00:00Z")
        );
        // 06:00 Bern: the same morning.
        assert_eq!(
            digest_due(Frequency::DailyDigest, utc("2026-11-25T05:00:00Z")),
            utc("2026-11-25T07:00:00Z")
        );
    }
}
