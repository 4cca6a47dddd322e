//! Partner analytics, computed from the partner context's read models (the formulas are
//! also in the API documentation):
//!
//! - `totalEmployeeAttendanceAllEvents`: registrations of the company's employees recorded
//!   as attended, over all events;
//! - `averageAttendancePerEvent`: that total divided by the number of events with any
//!   attendance recorded (0 without);
//! - `contentEngagementScore`: 100 × attended ÷ recorded registrations of the company's
//!   employees (how many of those who registered came), 0 without records;
//! - `topicInfluenceScore`: 100 × the partner's weighted interest (weight × (vote − 1)) in
//!   topics an event then used ÷ its weighted interest in all topics it voted on, 0 without
//!   interest;
//! - `materialDownloads`: downloads of session materials by the company's employees (as the
//!   attendance records name their company) and its integration, once per downloader and
//!   hour;
//! - `brandExposure`: the published events held during the partnership (its benefits
//!   applied there).

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::partner::Benefit;

/// The company's employees at one event.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventAttendance {
    pub event_id: Uuid,
    pub title: Option<String>,
    pub registrations_recorded: i64,
    pub attended: i64,
}

/// One topic the partner voted on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VotedTopic {
    pub topic_id: Uuid,
    pub title: Option<String>,
    pub vote_value: i32,
    pub vote_weight: i32,
    /// The topic's partner influence score as the events context last announced it.
    pub partner_influence_score: Option<f64>,
    pub used_by_event: bool,
}

/// An event held while the partnership ran.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExposureEvent {
    pub event_id: Uuid,
    pub title: String,
    pub event_date: DateTime<Utc>,
}

/// Where the partner's brand was shown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrandExposure {
    pub events_count: usize,
    pub events: Vec<ExposureEvent>,
    /// The benefits that applied at those events.
    pub benefits: Vec<Benefit>,
}

/// A partner's analytics.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerAnalytics {
    pub partner_id: Uuid,
    pub company_id: Uuid,
    pub total_employee_attendance_all_events: i64,
    pub average_attendance_per_event: f64,
    /// The events with any attendance recorded (the average's divisor).
    pub events_with_attendance: i64,
    pub content_engagement_score: f64,
    pub topic_influence_score: f64,
    pub material_downloads: i64,
    pub attendance_per_event: Vec<EventAttendance>,
    pub voted_topics: Vec<VotedTopic>,
    pub brand_exposure_metrics: BrandExposure,
    pub generated_at: DateTime<Utc>,
}

/// What the analytics are computed from.
pub struct Inputs {
    pub partner_id: Uuid,
    pub company_id: Uuid,
    pub attendance: Vec<EventAttendance>,
    /// Events with any attendance recorded (of anyone).
    pub events_with_attendance: i64,
    pub voted_topics: Vec<VotedTopic>,
    pub material_downloads: i64,
    pub exposure: Vec<ExposureEvent>,
    pub benefits: Vec<Benefit>,
}

/// Rounded to two decimals, and never `-0`: an empty sum of floats is -0.0 (the interest
/// in used topics when none was used), which JSON shows as `-0`; adding 0.0 makes it 0.
fn two_decimals(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Computes the analytics.
pub fn compute(inputs: Inputs, now: DateTime<Utc>) -> PartnerAnalytics {
    let attended: i64 = inputs.attendance.iter().map(|a| a.attended).sum();
    let recorded: i64 = inputs
        .attendance
        .iter()
        .map(|a| a.registrations_recorded)
        .sum();
    let average = if inputs.events_with_attendance > 0 {
        attended as f64 / inputs.events_with_attendance as f64
    } else {
        0.0
    };
    let engagement = if recorded > 0 {
        100.0 * attended as f64 / recorded as f64
    } else {
        0.0
    };
    let interest = |t: &VotedTopic| f64::from(t.vote_weight * (t.vote_value - 1));
    let all: f64 = inputs.voted_topics.iter().map(interest).sum();
    let used: f64 = inputs
        .voted_topics
        .iter()
        .filter(|t| t.used_by_event)
        .map(interest)
        .sum();
    let influence = if all > 0.0 { 100.0 * used / all } else { 0.0 };
    PartnerAnalytics {
        partner_id: inputs.partner_id,
        company_id: inputs.company_id,
        total_employee_attendance_all_events: attended,
        average_attendance_per_event: two_decimals(average),
        events_with_attendance: inputs.events_with_attendance,
        content_engagement_score: two_decimals(engagement),
        topic_influence_score: two_decimals(influence),
        material_downloads: inputs.material_downloads,
        attendance_per_event: inputs.attendance,
        voted_topics: inputs.voted_topics,
        brand_exposure_metrics: BrandExposure {
            events_count: inputs.exposure.len(),
            events: inputs.exposure,
            benefits: inputs.benefits,
        },
        generated_at: now,
    }
}

/// Whether an event on `event_date` lies in a partnership from `start` to `end` (both
/// inclusive) and has been held by `now`.
pub fn exposure_window(
    start: NaiveDate,
    end: Option<NaiveDate>,
    event_date: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    let day = event_date.date_naive();
    day >= start && end.is_none_or(|end| day <= end) && event_date <= now
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The analytics as CSV (RFC 4180): one `section,key,name,value` row per figure.
pub fn to_csv(a: &PartnerAnalytics) -> String {
    let mut out = String::from("section,key,name,value\r\n");
    let mut row = |section: &str, key: &str, name: &str, value: String| {
        let _ = write!(
            out,
            "{},{},{},{}\r\n",
            field(section),
            field(key),
            field(name),
            field(&value)
        );
    };
    row(
        "summary",
        "",
        "totalEmployeeAttendanceAllEvents",
        a.total_employee_attendance_all_events.to_string(),
    );
    row(
        "summary",
        "",
        "averageAttendancePerEvent",
        a.average_attendance_per_event.to_string(),
    );
    row(
        "summary",
        "",
        "contentEngagementScore",
        a.content_engagement_score.to_string(),
    );
    row(
        "summary",
        "",
        "materialDownloads",
        a.material_downloads.to_string(),
    );
    row(
        "summary",
        "",
        "topicInfluenceScore",
        a.topic_influence_score.to_string(),
    );
    row(
        "summary",
        "",
        "brandExposureEvents",
        a.brand_exposure_metrics.events_count.to_string(),
    );
    for e in &a.attendance_per_event {
        let key = e.event_id.to_string();
        let name = e.title.clone().unwrap_or_default();
        row("attendance", &key, &name, e.attended.to_string());
    }
    for t in &a.voted_topics {
        let key = t.topic_id.to_string();
        let name = t.title.clone().unwrap_or_default();
        row("vote", &key, &name, t.vote_value.to_string());
    }
    for e in &a.brand_exposure_metrics.events {
        row(
            "exposure",
            &e.event_id.to_string(),
            &e.title,
            e.event_date.to_rfc3339(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(weight: i32, value: i32, used: bool) -> VotedTopic {
        VotedTopic {
            topic_id: Uuid::now_v7(),
            title: Some("t".into()),
            vote_value: value,
            vote_weight: weight,
            partner_influence_score: None,
            used_by_event: used,
        }
    }

    #[test]
    fn the_formulas_of_the_documentation() {
        let event = |recorded, attended| EventAttendance {
            event_id: Uuid::now_v7(),
            title: Some("BATbern, \"57\"".into()),
            registrations_recorded: recorded,
            attended,
        };
        let inputs = Inputs {
            partner_id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            attendance: vec![event(4, 3), event(2, 1)],
            events_with_attendance: 3,
            voted_topics: vec![topic(2, 5, true), topic(2, 3, false), topic(2, 1, true)],
            material_downloads: 5,
            exposure: Vec::new(),
            benefits: Vec::new(),
        };
        let a = compute(inputs, Utc::now());
        assert_eq!(a.total_employee_attendance_all_events, 4);
        assert_eq!(a.average_attendance_per_event, 1.33);
        assert_eq!(a.content_engagement_score, 66.67);
        assert_eq!(a.topic_influence_score, 66.67);
        assert_eq!(a.material_downloads, 5);
        let csv = to_csv(&a);
        assert!(csv.contains("summary,,materialDownloads,5\r\n"), "{csv}");
        assert!(csv.starts_with(
            "section,key,name,value\r\nsummary,,totalEmployeeAttendanceAllEvents,4\r\n"
        ));
        assert!(csv.contains(",\"BATbern, \"\"57\"\"\",3\r\n"), "{csv}");
    }

    /// Inputs with nothing recorded but `voted_topics`.
    fn votes_only(voted_topics: Vec<VotedTopic>) -> Inputs {
        Inputs {
            partner_id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            attendance: Vec::new(),
            events_with_attendance: 0,
            voted_topics,
            material_downloads: 0,
            exposure: Vec::new(),
            benefits: Vec::new(),
        }
    }

    #[test]
    fn nothing_recorded_scores_zero() {
        let a = compute(votes_only(vec![topic(1, 1, true)]), Utc::now());
        assert_eq!(
            (
                a.average_attendance_per_event,
                a.content_engagement_score,
                a.topic_influence_score
            ),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn interest_in_topics_no_event_used_scores_a_plain_zero() {
        let a = compute(votes_only(vec![topic(2, 4, false)]), Utc::now());
        assert!(a.topic_influence_score.is_sign_positive());
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["topicInfluenceScore"].to_string(), "0.0");
    }
}
