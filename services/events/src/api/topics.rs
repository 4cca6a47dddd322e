//! Handlers of the topic library: `/api/v1/topics` (search, near-duplicates, feedback) and
//! `/api/v1/events/{id}/topics` (assigning topics to events records their use).
//!
//! Staleness is computed at read time from the stored usage summary and history, so it ages
//! with the calendar; the stored wait period is rewritten whenever the history changes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::events::TopicUsed;
use shared_domain::Parse;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::topic::{
    average_feedback, months_since, staleness, TopicCategory, TopicFields, TITLE_MAX_CHARS,
};
use crate::domain::EventError;
use crate::store::topics::{EventTopicRecord, TopicFilter, TopicRecord, UsageRecord};
use crate::{announce, store};

/// The most near-duplicates a created topic is answered with.
const SIMILAR_TOPICS: i64 = 5;
/// The least full-text rank of a near-duplicate (a single shared description word ranks
/// about 0.1, a shared title word about 0.2 and more).
const SIMILAR_MIN_RANK: f32 = 0.1;

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
    fn new(record: TopicRecord, usage: &[UsageRecord], now: DateTime<Utc>) -> Self {
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

async fn topic_response(conn: &mut PgConnection, id: Uuid) -> Result<TopicResponse, ApiError> {
    let record = store::topics::fetch_topic(&mut *conn, id)
        .await?
        .ok_or(EventError::TopicNotFound(id))?;
    let usage = store::topics::usage_of(&mut *conn, &[id]).await?;
    Ok(TopicResponse::new(record, &usage, Utc::now()))
}

async fn respond(
    conn: &mut PgConnection,
    id: Uuid,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let topic = topic_response(conn, id).await?;
    Ok((status, etag_header(topic.version), Json(topic)).into_response())
}

/// Rewrites the usage summary and wait period of a locked topic from its history.
async fn refresh_usage(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let usage = store::topics::usage_of(&mut *conn, &[id]).await?;
    let last_used = usage.iter().map(|u| u.used_date).max();
    let count = i32::try_from(usage.len()).map_err(ApiError::internal)?;
    let current = staleness(
        last_used.map(|used| months_since(used, now)),
        count,
        average_feedback(usage.iter().map(|u| u.feedback_score)),
    );
    store::topics::update_usage(conn, id, count, last_used, current.wait_months, now).await?;
    Ok(())
}

/// Adds a topic to the library (organizers) and answers with the existing topics it may
/// duplicate. Honors `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/topics", tag = "topics", request_body = CreateTopicRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = CreatedTopicResponse), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_topic(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    Json(request): Json<CreateTopicRequest>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let fields = TopicFields {
        title: request.title.clone(),
        description: request.description.clone(),
        category: request.category,
        is_active: request.is_active.unwrap_or(true),
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(
        &mut tx,
        &actor.subject,
        key,
        &idempotency::fingerprint(&request),
    )
    .await?
    {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    store::topics::insert_topic(&mut tx, id, &fields, now).await?;
    announce::topic(&mut tx, id, now, &context).await?;
    let text = format!(
        "{} {}",
        fields.title,
        fields.description.as_deref().unwrap_or_default()
    );
    let similar =
        store::topics::similar_topics(&mut *tx, &text, id, SIMILAR_MIN_RANK, SIMILAR_TOPICS)
            .await?;
    let topic = topic_response(&mut tx, id).await?;
    let version = topic.version;
    let similar_topics = similar
        .into_iter()
        .map(|s| SimilarTopic {
            id: s.id,
            title: s.title,
            rank: s.rank,
        })
        .collect();
    let body = CreatedTopicResponse {
        topic,
        similar_topics,
    };
    let answer = idempotency::created(format!("/api/v1/topics/{id}"), Some(version), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists topics: with `q` by full-text rank on title and description, otherwise by title.
#[utoipa::path(get, path = "/api/v1/topics", tag = "topics", params(ListTopicsQuery),
    responses((status = 200, body = Page<TopicResponse>), (status = 400, description = "Unknown category, bad limit or cursor", body = Problem)),
    security(("bearer" = [])))]
pub async fn list_topics(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListTopicsQuery>,
) -> Result<Json<Page<TopicResponse>>, ApiError> {
    for (field, value) in [
        ("minStaleness", query.min_staleness),
        ("maxStaleness", query.max_staleness),
        ("minPartnerInfluence", query.min_partner_influence),
    ] {
        if value.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
            return Err(ApiError::malformed_field(
                field,
                "must lie between 0 and 100",
            ));
        }
    }
    let filter = TopicFilter {
        category: query.category,
        active: query.active,
        min_staleness: query.min_staleness,
        max_staleness: query.max_staleness,
        min_partner_influence: query.min_partner_influence,
    };
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > TITLE_MAX_CHARS) {
        return Err(ApiError::malformed_field(
            "q",
            format!("must be at most {TITLE_MAX_CHARS} characters"),
        ));
    }
    let mut conn = state.pool.acquire().await?;
    let page = match q {
        Some(q) => {
            let page = PageRequest::parse::<(f32, Uuid)>(query.limit, query.cursor.as_deref())?;
            let rows = store::topics::search_topics(
                &mut *conn,
                q,
                filter,
                page.after.as_ref(),
                page.fetch_limit(),
            )
            .await?;
            Page::from_rows(rows, page.limit, |r| (r.rank, r.topic.id))
                .map(|r| (r.topic, Some(r.rank)))
        }
        None if query.sort == Some(TopicSort::Staleness) => {
            let page = PageRequest::parse::<(f64, Uuid)>(query.limit, query.cursor.as_deref())?;
            let rows = store::topics::list_topics_by_staleness(
                &mut *conn,
                filter,
                page.after.as_ref(),
                page.fetch_limit(),
            )
            .await?;
            Page::from_rows(rows, page.limit, |t| (t.staleness, t.topic.id))
                .map(|t| (t.topic, None))
        }
        None if query.sort == Some(TopicSort::PartnerInfluence) => {
            let page = PageRequest::parse::<(f64, Uuid)>(query.limit, query.cursor.as_deref())?;
            let rows = store::topics::list_topics_by_influence(
                &mut *conn,
                filter,
                page.after.as_ref(),
                page.fetch_limit(),
            )
            .await?;
            Page::from_rows(rows, page.limit, |t| (t.influence, t.topic.id))
                .map(|t| (t.topic, None))
        }
        None => {
            let page = PageRequest::parse::<(String, Uuid)>(query.limit, query.cursor.as_deref())?;
            let rows = store::topics::list_topics(
                &mut *conn,
                filter,
                page.after.as_ref(),
                page.fetch_limit(),
            )
            .await?;
            Page::from_rows(rows, page.limit, |t| (t.title.clone(), t.id)).map(|t| (t, None))
        }
    };
    let ids: Vec<Uuid> = page.items.iter().map(|(t, _)| t.id).collect();
    // Uses at events still being planned are the organizers' business only.
    let usage = if actor.has(Role::Organizer) {
        store::topics::usage_of(&mut *conn, &ids).await?
    } else {
        store::topics::public_usage_of(&mut *conn, &ids).await?
    };
    let now = Utc::now();
    Ok(Json(page.map(|(topic, rank)| TopicResponse {
        rank,
        ..TopicResponse::new(topic, &usage, now)
    })))
}

/// Reads one topic with its usage history.
#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = Uuid, Path)),
    responses((status = 200, body = TopicResponse), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_topic(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    if actor.has(Role::Organizer) {
        return respond(&mut conn, id, StatusCode::OK).await;
    }
    let record = store::topics::fetch_topic(&mut *conn, id)
        .await?
        .ok_or(EventError::TopicNotFound(id))?;
    let usage = store::topics::public_usage_of(&mut *conn, &[id]).await?;
    let topic = TopicResponse::new(record, &usage, Utc::now());
    Ok((etag_header(topic.version), Json(topic)).into_response())
}

/// Changes a topic's title, description, category or whether it is active (organizers,
/// `If-Match`).
#[utoipa::path(patch, path = "/api/v1/topics/{id}", tag = "topics", request_body = UpdateTopicRequest,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = TopicResponse), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_topic(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    RequestContext(context): RequestContext,
    Json(patch): Json<UpdateTopicRequest>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let mut tx = state.pool.begin().await?;
    let current = store::topics::lock_topic(&mut tx, id)
        .await?
        .ok_or(EventError::TopicNotFound(id))?;
    if_match.check(current.version)?;
    let fields = TopicFields {
        title: patch.title.unwrap_or_else(|| current.title.clone()),
        description: service_kit::patch::apply(current.description.clone(), patch.description),
        category: patch.category.unwrap_or(current.category()),
        is_active: patch.is_active.unwrap_or(current.is_active),
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    if *fields != current.fields() {
        let now = Utc::now();
        store::topics::update_topic(&mut tx, id, &fields, now).await?;
        announce::topic(&mut tx, id, now, &context).await?;
    }
    let response = respond(&mut tx, id, StatusCode::OK).await?;
    tx.commit().await?;
    Ok(response)
}

/// Assigns a topic to an event (organizers): records its use on the event's date with the
/// event's current attendee count and updates its usage count, last use and wait period.
#[utoipa::path(post, path = "/api/v1/events/{id}/topics", tag = "topics", request_body = AssignTopicRequest, params(("id" = Uuid, Path)),
    responses((status = 201, description = "The topic with its new use", body = TopicResponse), (status = 404, body = Problem),
        (status = 409, description = "Already assigned to the event, or the topic is not active", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn assign_topic(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(event_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    Json(request): Json<AssignTopicRequest>,
) -> Result<Response, ApiError> {
    let request_hash = idempotency::fingerprint(&request);
    actor.require_organizer_of(event_id)?;
    let topic_id = request.topic_id;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let event = store::events::fetch_event(&mut *tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let topic = store::topics::lock_topic(&mut tx, topic_id)
        .await?
        .ok_or(EventError::TopicNotFound(topic_id))?;
    if !topic.is_active {
        return Err(EventError::Conflict(format!("topic {topic_id} is not active")).into());
    }
    let resting = topic_response(&mut tx, topic_id).await?;
    let warnings = wait_warning(&resting);
    let now = Utc::now();
    let used = (event.event_date, event.current_attendee_count);
    if !store::topics::insert_event_topic(&mut tx, event_id, topic_id, used, &actor.subject, now)
        .await?
    {
        return Err(EventError::Conflict(format!(
            "topic {topic_id} is already assigned to event {event_id}"
        ))
        .into());
    }
    refresh_usage(&mut tx, topic_id, now).await?;
    let topic_used = TopicUsed {
        topic_id,
        event_id,
        used_date: event.event_date,
        assigned_at: now,
    };
    enqueue(&mut tx, &topic_used, &context).await?;
    let topic = TopicResponse {
        warnings,
        ..topic_response(&mut tx, topic_id).await?
    };
    let location = format!("/api/v1/topics/{topic_id}");
    let answer = idempotency::created(location, Some(topic.version), &topic);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// A warning when a topic is put on an event before it has rested for its wait period.
fn wait_warning(topic: &TopicResponse) -> Vec<String> {
    match topic.last_used_date {
        Some(last) if topic.staleness_score < 100.0 => vec![format!(
            "topic \u{201c}{}\u{201d} is inside its wait period: last used {}, it should rest {} months (staleness {})",
            topic.title,
            last.date_naive(),
            topic.calculated_wait_period,
            topic.staleness_score
        )],
        _ => Vec::new(),
    }
}

/// The topics assigned to an event, in assignment order.
#[utoipa::path(get, path = "/api/v1/events/{id}/topics", tag = "topics", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<EventTopicResponse>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_event_topics(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
) -> Result<Json<Vec<EventTopicResponse>>, ApiError> {
    store::events::fetch_event(&state.pool, event_id)
        .await?
        .filter(|e| e.status().visible_to(actor.has(Role::Organizer)))
        .ok_or(EventError::NotFound(event_id))?;
    let topics = store::topics::list_event_topics(&state.pool, event_id).await?;
    Ok(Json(
        topics.into_iter().map(EventTopicResponse::from).collect(),
    ))
}

/// Records the feedback on a topic's use at an event (organizers); the topic's wait period
/// follows its average feedback.
#[utoipa::path(put, path = "/api/v1/topics/{id}/usage/{eventId}/feedback", tag = "topics", request_body = FeedbackRequest,
    params(("id" = Uuid, Path), ("eventId" = Uuid, Path)),
    responses((status = 200, body = TopicResponse), (status = 404, description = "No such topic, or it was not used at the event", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_usage_feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, event_id)): Path<(Uuid, Uuid)>,
    Json(request): Json<FeedbackRequest>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    if !(0.0..=5.0).contains(&request.feedback_score) {
        return Err(ApiError::invalid_field(
            "feedbackScore",
            "must be between 0 and 5",
        ));
    }
    let mut tx = state.pool.begin().await?;
    store::topics::lock_topic(&mut tx, id)
        .await?
        .ok_or(EventError::TopicNotFound(id))?;
    if !store::topics::update_feedback(&mut tx, id, event_id, request.feedback_score).await? {
        return Err(ApiError::not_found(format!(
            "topic {id} was not used at event {event_id}"
        )));
    }
    refresh_usage(&mut tx, id, Utc::now()).await?;
    let response = respond(&mut tx, id, StatusCode::OK).await?;
    tx.commit().await?;
    Ok(response)
}
