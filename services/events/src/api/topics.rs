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
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::events::TopicUsed;
use shared_domain::Parse;
use sqlx::PgConnection;
use uuid::Uuid;

use super::topic_dto::{
    AssignTopicRequest, CreateTopicRequest, CreatedTopicResponse, EventTopicResponse,
    FeedbackRequest, ListTopicsQuery, SimilarTopic, TopicResponse, TopicSort, UpdateTopicRequest,
};
use super::AppState;
use crate::domain::topic::{
    average_feedback, months_since, staleness, TopicFields, TITLE_MAX_CHARS,
};
use crate::domain::EventError;
use crate::store::topics::TopicFilter;
use crate::{announce, store};

/// The most near-duplicates a created topic is answered with.
const SIMILAR_TOPICS: i64 = 5;
/// The least full-text rank of a near-duplicate (a single shared description word ranks
/// about 0.1, a shared title word about 0.2 and more).
const SIMILAR_MIN_RANK: f32 = 0.1;

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
    body: Result<Json<CreateTopicRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
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
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdateTopicRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let (if_match, Json(patch)) = (if_match?, body?);
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
    body: Result<Json<AssignTopicRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
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
    body: Result<Json<FeedbackRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
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
