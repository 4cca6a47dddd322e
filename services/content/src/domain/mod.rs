//! The content domain: what a file may be and how its confirmation decides, upload
//! states, quotas, who may manage what, session materials. No I/O.

pub mod access;
pub mod file;
pub mod intent;
pub mod materials;
pub mod quota;
pub mod status;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The hour a download is counted in (one count per downloader and hour).
pub fn download_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}
