//! Handlers of `/api/v1/topic-votes`: a partner votes 1–5 on a library topic, changes or
//! withdraws its vote until an event uses the topic; each vote counts with its tier's
//! weight in the topic's partner influence score, which the events service keeps.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::read_model::await_known;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext};
use shared_domain::contracts::partners::{TopicVoteCast, TopicVoteWithdrawn};
use shared_domain::contracts::Known;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{caller, own_partner, AppState};
use crate::domain::access::Caller;
use crate::domain::vote::{check_open, check_value};
use crate::domain::PartnerError;
use crate::store;
use crate::store::read_models::TopicEntry;
use crate::store::votes::VoteRecord;

/// Body of `PUT /api/v1/topic-votes/{topicId}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoteRequest {
    /// 1 (no interest) to 5 (strong interest).
    #[schema(minimum = 1, maximum = 5)]
    pub value: i64,
}

/// A partner's vote.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoteResponse {
    pub id: Uuid,
    pub topic_id: Uuid,
    pub partner_id: Uuid,
    pub vote_value: i32,
    /// The weight of the partner's tier when it voted.
    pub vote_weight: i32,
    pub voted_at: DateTime<Utc>,
}

impl From<VoteRecord> for VoteResponse {
    fn from(v: VoteRecord) -> Self {
        VoteResponse {
            id: v.id,
            topic_id: v.topic_id,
            partner_id: v.partner_id,
            vote_value: v.vote_value,
            vote_weight: v.vote_weight,
            voted_at: v.voted_at,
        }
    }
}

/// Query of `GET /api/v1/topic-votes`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListVotesQuery {
    pub topic_id: Option<Uuid>,
    /// Organizers only; a partner token always sees its own votes.
    pub partner_id: Option<Uuid>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The topic as this context knows it (waiting briefly for one created a moment ago).
async fn known_topic(state: &AppState, topic_id: Uuid) -> Result<TopicEntry, ApiError> {
    await_known("topicId", "topic", topic_id, || {
        store::read_models::topic(&state.pool, topic_id)
    })
    .await
}

/// Casts or changes the calling partner's vote on a topic (partner tokens).
#[utoipa::path(put, path = "/api/v1/topic-votes/{topicId}", tag = "topic-votes", request_body = VoteRequest,
    params(("topicId" = Uuid, Path)),
    responses((status = 200, body = VoteResponse), (status = 403, body = Problem),
        (status = 404, description = "The caller's company is no partner", body = Problem),
        (status = 409, description = "Partnership inactive, topic retired or used by an event", body = Problem),
        (status = 422, description = "Value outside 1–5, unknown topic", body = Problem)),
    security(("bearer" = [])))]
pub async fn cast_vote(
    State(state): State<AppState>,
    actor: Actor,
    Path(topic_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<VoteRequest>, ApiError>,
) -> Result<Json<VoteResponse>, ApiError> {
    let who = caller(&actor);
    who.partner_company()?;
    let Json(request) = body?;
    let value = check_value(request.value).map_err(|e| ApiError::validation(vec![e]))?;
    let topic = known_topic(&state, topic_id).await?;
    let mut tx = state.pool.begin().await?;
    let own = own_partner(&mut tx, who).await?;
    // Locked: a tier or date change in flight decides before this vote's weight is taken.
    let partner = store::partners::lock(&mut tx, own.id)
        .await?
        .ok_or(PartnerError::NotFound("partner", own.id))?;
    check_open(
        partner.is_active,
        topic.is_active,
        topic.first_used_at.is_some(),
    )?;
    let tier = partner.tier();
    let now = Utc::now();
    let weight = tier.vote_weight() as i32;
    let vote =
        store::votes::upsert(&mut tx, topic_id, partner.id, weight, i32::from(value), now).await?;
    let cast = TopicVoteCast {
        topic_id,
        partner_id: partner.id,
        tier: Known::from(tier),
        value,
        cast_at: now,
    };
    enqueue(&mut tx, &cast, &context).await?;
    tx.commit().await?;
    Ok(Json(VoteResponse::from(vote)))
}

/// Withdraws the calling partner's vote on a topic (partner tokens).
#[utoipa::path(delete, path = "/api/v1/topic-votes/{topicId}", tag = "topic-votes", params(("topicId" = Uuid, Path)),
    responses((status = 204, description = "Withdrawn"), (status = 403, body = Problem),
        (status = 404, description = "No vote of the caller on this topic", body = Problem),
        (status = 409, description = "The topic is used by an event", body = Problem)),
    security(("bearer" = [])))]
pub async fn withdraw_vote(
    State(state): State<AppState>,
    actor: Actor,
    Path(topic_id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    let who = caller(&actor);
    who.partner_company()?;
    let mut tx = state.pool.begin().await?;
    let partner = own_partner(&mut tx, who).await?;
    let used = store::read_models::topic(&mut *tx, topic_id)
        .await?
        .is_some_and(|t| t.first_used_at.is_some());
    if used {
        check_open(true, true, true)?;
    }
    if !store::votes::delete(&mut tx, topic_id, partner.id).await? {
        return Err(ApiError::not_found(format!(
            "no vote of partner {} on topic {topic_id}",
            partner.id
        )));
    }
    let withdrawn = TopicVoteWithdrawn {
        topic_id,
        partner_id: partner.id,
        withdrawn_at: Utc::now(),
    };
    enqueue(&mut tx, &withdrawn, &context).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Lists votes by id: a partner token its own; organizers all, by topic or partner.
#[utoipa::path(get, path = "/api/v1/topic-votes", tag = "topic-votes", params(ListVotesQuery),
    responses((status = 200, body = Page<VoteResponse>), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_votes(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListVotesQuery>,
) -> Result<Json<Page<VoteResponse>>, ApiError> {
    let who = caller(&actor);
    who.require_known()?;
    let mut conn = state.pool.acquire().await?;
    let partner_id = match who {
        Caller::Partner { .. } => Some(own_partner(&mut conn, who).await?.id),
        _ => query.partner_id,
    };
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::votes::list(
        &mut *conn,
        partner_id,
        query.topic_id,
        page.after,
        page.fetch_limit(),
    )
    .await?;
    let page = Page::from_rows(rows, page.limit, |v| v.id);
    Ok(Json(page.map(VoteResponse::from)))
}
