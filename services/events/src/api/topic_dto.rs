//! Request and response bodies of the topic library (`/api/v1/topics`,
//! `/api/v1/events/{id}/topics`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::topic::{average_feedback, months_since, staleness, TopicCategory};
use crate::store::topics::{EventTopicRecord, TopicRecord, UsageRecord};

/// Body of `POST /api/v1/topics`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTopicRequest {
    pub title: String,
    pub description: Option<String>,
    pub category: TopicCategory,
    /// Defaults to true.
    pub is_active: Option<bool>,
}

/// Body of `PATCH /api/v1/topics/{id}` (absent fields stay unchanged).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTopicRequest {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub category: Option<TopicCategory>,
    pub is_active: Option<bool>,
}

/// Body of `POST /api/v1/events/{id}/topics`.
#[derive(Debug, Clone, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignTopicRequest {
    pub topic_id: Uuid,
}

/// Body of `PUT /api/v1/topics/{id}/usage/{eventId}/feedback`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeedbackRequest {
    /// 0 (poor) to 5 (excellent), kept to two decimals.
    pub feedback_score: f64,
}

/// Query of `GET /api/v1/topics`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTopicsQuery {
    /// Full-text search on title and description (all words; `"phrase"`, `or` and `-word`
    /// work). With it, topics come best rank first, then by id; without it, by title.
    pub q: Option<String>,
    pub category: Option<TopicCategory>,
    /// Only active (`true`) or retired (`false`) topics.
    pub active: Option<bool>,
    /// Only topics at least this stale (0–100; 100: rested for their whole wait period).
    #[param(minimum = 0, maximum = 100)]
    pub min_staleness: Option<f64>,
    /// Only topics at most this stale (0–100).
    #[param(minimum = 0, maximum = 100)]
    pub max_staleness: Option<f64>,
    /// Only topics whose partner influence score is at least this (0–100; topics without
    /// votes have none and are left out).
    #[param(minimum = 0, maximum = 100)]
    pub min_partner_influence: Option<f64>,
    /// `title` (default), `staleness` (most rested first) or `partner_influence` (highest
    /// first, topics without votes last); ignored with `q`.
    #[param(inline)]
    pub sort: Option<TopicSort>,
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page of the same query.
    pub cursor: Option<String>,
}

/// How a topic list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopicSort {
    Title,
    Staleness,
    PartnerInfluence,
}

/// One use of a topic.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicUsageResponse {
    pub event_id: Uuid,
    /// The event's date.
    pub used_date: DateTime<Utc>,
    /// Attendees registered when the topic was assigned.
    pub attendee_count: i32,
    pub feedback_score: Option<f64>,
}

/// A topic as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicResponse {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: TopicCategory,
    pub created_date: DateTime<Utc>,
    pub last_used_date: Option<DateTime<Utc>>,
    pub usage_count: i32,
    /// Latest use first.
    pub usage_history: Vec<TopicUsageResponse>,
    /// 0–100 as of this answer; higher is safer to reuse.
    pub staleness_score: f64,
    /// Months the topic should rest after its last use.
    pub calculated_wait_period: i32,
    /// 0–100 from partner votes; absent until partners voted.
    pub partner_influence_score: Option<f64>,
    pub is_active: bool,
    /// Also the `ETag`.
    pub version: i64,
    /// The full-text rank, in search results only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
    /// What an organizer should know about the answer (e.g. a topic put on an event inside
    /// its wait period); only on assignments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl TopicResponse {
    /// The topic with its history (`usage` may hold other topics' uses too) as of `now`.
    pub fn new(record: TopicRecord, usage: &[UsageRecord], now: DateTime<Utc>) -> Self {
        let history: Vec<&UsageRecord> = usage.iter().filter(|u| u.topic_id == record.id).collect();
        let months = record.last_used_date.map(|used| months_since(used, now));
        let current = staleness(
            months,
            record.usage_count,
            average_feedback(history.iter().map(|u| u.feedback_score)),
        );
        TopicResponse {
            id: record.id,
            category: record.category(),
            title: record.title,
            description: record.description,
            created_date: record.created_date,
            last_used_date: record.last_used_date,
            usage_count: record.usage_count,
            usage_history: history
                .into_iter()
                .map(|u| TopicUsageResponse {
                    event_id: u.event_id,
                    used_date: u.used_date,
                    attendee_count: u.attendee_count,
                    feedback_score: u.feedback_score,
                })
                .collect(),
            staleness_score: current.score,
            calculated_wait_period: current.wait_months,
            partner_influence_score: record.partner_influence_score,
            is_active: record.is_active,
            version: record.version,
            rank: None,
            warnings: Vec::new(),
        }
    }
}

/// An existing topic close to a new one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SimilarTopic {
    pub id: Uuid,
    pub title: String,
    /// Full-text rank of the overlap; higher is closer.
    pub rank: f32,
}

/// Answer of `POST /api/v1/topics`: the topic and its possible near-duplicates.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedTopicResponse {
    #[serde(flatten)]
    pub topic: TopicResponse,
    /// Up to five existing topics sharing words with the new one, closest first.
    pub similar_topics: Vec<SimilarTopic>,
}

/// A topic assigned to an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventTopicResponse {
    pub topic_id: Uuid,
    pub title: String,
    pub category: TopicCategory,
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: String,
}

impl From<EventTopicRecord> for EventTopicResponse {
    fn from(r: EventTopicRecord) -> Self {
        EventTopicResponse {
            topic_id: r.topic_id,
            category: *r.category,
            title: r.title,
            assigned_at: r.assigned_at,
            assigned_by: r.assigned_by,
        }
    }
}
