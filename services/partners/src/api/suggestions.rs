//! Handlers of `/api/v1/topic-suggestions`: partners suggest topics; organizers review,
//! accept (the topic joins the events service's library through
//! `TopicSuggestionAccepted`) or reject with a reason; a suggestion is `implemented` once
//! an event uses its topic. A partner sees only its own suggestions.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext};
use shared_domain::contracts::partners::TopicSuggestionAccepted;
use shared_domain::{Parse, StateMachine};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{caller, own_partner, visible_partner, AppState};
use crate::domain::access::Caller;
use crate::domain::suggestion::{
    check_decision, SuggestedCategory, SuggestionFields, SuggestionStatus,
};
use crate::domain::PartnerError;
use crate::store;
use crate::store::suggestions::{Decision, SuggestionRecord};

/// Body of `POST /api/v1/topic-suggestions`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SuggestionRequest {
    /// Organizers name the partner they record the suggestion for; a partner token
    /// suggests for itself.
    pub partner_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub business_justification: Option<String>,
    pub category: SuggestedCategory,
}

/// Body of `POST /api/v1/topic-suggestions/{id}/decision`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRequest {
    /// `under_review`, `accepted` or `rejected`.
    pub status: SuggestionStatus,
    /// Required for `rejected`: what the partner reads.
    pub reason: Option<String>,
}

/// A suggestion as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionResponse {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub business_justification: Option<String>,
    pub category: SuggestedCategory,
    pub status: SuggestionStatus,
    pub rejection_reason: Option<String>,
    pub suggested_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    /// The library topic an accepted suggestion became.
    pub topic_id: Option<Uuid>,
    pub implemented_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<SuggestionRecord> for SuggestionResponse {
    fn from(s: SuggestionRecord) -> Self {
        SuggestionResponse {
            id: s.id,
            partner_id: s.partner_id,
            title: s.suggested_topic,
            description: s.description,
            business_justification: s.business_justification,
            category: *s.category,
            status: *s.status,
            rejection_reason: s.rejection_reason,
            suggested_at: s.suggested_at,
            reviewed_at: s.reviewed_at,
            reviewed_by: s.reviewed_by,
            topic_id: s.topic_id,
            implemented_at: s.implemented_at,
            version: s.version,
        }
    }
}

/// Query of `GET /api/v1/topic-suggestions`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSuggestionsQuery {
    pub status: Option<SuggestionStatus>,
    /// Organizers only; a partner token always sees its own.
    pub partner_id: Option<Uuid>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Submits a topic suggestion (a partner for itself, or an organizer for a named partner).
/// Honors `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/topic-suggestions", tag = "topic-suggestions", request_body = SuggestionRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = SuggestionResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, description = "Bad fields, or an unknown partner", body = Problem)),
    security(("bearer" = [])))]
pub async fn suggest_topic(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: Result<Json<SuggestionRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let who = caller(&actor);
    who.require_known()?;
    let Json(request) = body?;
    let fields = SuggestionFields {
        title: request.title.clone(),
        description: request.description.clone(),
        business_justification: request.business_justification.clone(),
        category: request.category,
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let partner_id = match (who, request.partner_id) {
        (Caller::Organizer, Some(id)) => {
            store::partners::fetch(&mut *tx, id)
                .await?
                .ok_or_else(|| ApiError::invalid_field("partnerId", "is not a known partner"))?
                .id
        }
        (Caller::Organizer, None) => {
            return Err(ApiError::invalid_field(
                "partnerId",
                "organizers name the partner",
            ))
        }
        (_, named) => {
            let own = own_partner(&mut tx, who).await?;
            if named.is_some_and(|id| id != own.id) {
                return Err(ApiError::invalid_field(
                    "partnerId",
                    "is not a known partner",
                ));
            }
            own.id
        }
    };
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
    store::suggestions::insert(&mut tx, id, partner_id, &fields, now).await?;
    let record = store::suggestions::lock(&mut tx, id)
        .await?
        .ok_or(PartnerError::NotFound("suggestion", id))?;
    let body = SuggestionResponse::from(record);
    let location = format!("/api/v1/topic-suggestions/{id}");
    let answer = idempotency::created(location, Some(body.version), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists suggestions, newest first: a partner its own; organizers all.
#[utoipa::path(get, path = "/api/v1/topic-suggestions", tag = "topic-suggestions", params(ListSuggestionsQuery),
    responses((status = 200, body = Page<SuggestionResponse>), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_suggestions(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListSuggestionsQuery>,
) -> Result<Json<Page<SuggestionResponse>>, ApiError> {
    let who = caller(&actor);
    who.require_known()?;
    let mut conn = state.pool.acquire().await?;
    let partner_id = match who {
        Caller::Partner { .. } => Some(own_partner(&mut conn, who).await?.id),
        _ => query.partner_id,
    };
    let page = PageRequest::parse::<(DateTime<Utc>, Uuid)>(query.limit, query.cursor.as_deref())?;
    let rows = store::suggestions::list(
        &mut *conn,
        partner_id,
        query.status,
        page.after.as_ref(),
        page.fetch_limit(),
    )
    .await?;
    let page = Page::from_rows(rows, page.limit, |s| (s.suggested_at, s.id));
    Ok(Json(page.map(SuggestionResponse::from)))
}

/// A suggestion the caller may see (its partner's, or any for organizers); 404 otherwise.
async fn visible(
    conn: &mut sqlx::PgConnection,
    who: Caller,
    id: Uuid,
) -> Result<SuggestionRecord, ApiError> {
    who.require_known()?;
    let suggestion = store::suggestions::fetch(&mut *conn, id)
        .await?
        .ok_or(PartnerError::NotFound("suggestion", id))?;
    visible_partner(conn, who, suggestion.partner_id)
        .await
        .map_err(|_| PartnerError::NotFound("suggestion", id))?;
    Ok(suggestion)
}

/// Reads a suggestion (its partner, or organizers).
#[utoipa::path(get, path = "/api/v1/topic-suggestions/{id}", tag = "topic-suggestions", params(("id" = Uuid, Path)),
    responses((status = 200, body = SuggestionResponse, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_suggestion(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let suggestion = visible(&mut conn, caller(&actor), id).await?;
    Ok((
        etag_header(suggestion.version),
        Json(SuggestionResponse::from(suggestion)),
    )
        .into_response())
}

/// Decides on a suggestion (organizers, `If-Match`): `under_review`, `accepted` (its topic
/// is created in the library under the returned `topicId`) or `rejected` with a reason.
#[utoipa::path(post, path = "/api/v1/topic-suggestions/{id}/decision", tag = "topic-suggestions", request_body = DecisionRequest,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SuggestionResponse, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Not allowed from the current status", body = Problem), (status = 412, body = Problem),
        (status = 422, description = "A rejection without a reason", body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn decide_suggestion(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<DecisionRequest>, ApiError>,
) -> Result<Response, ApiError> {
    caller(&actor).require_organizer()?;
    let (if_match, Json(request)) = (if_match?, body?);
    let reason =
        check_decision(request.status, request.reason.as_deref()).map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let current = store::suggestions::lock(&mut tx, id)
        .await?
        .ok_or(PartnerError::NotFound("suggestion", id))?;
    if_match.check(current.version)?;
    let status = current.status.transition(request.status)?;
    let now = Utc::now();
    let topic_id = (status == SuggestionStatus::Accepted).then(shared_domain::new_id);
    let decision = Decision {
        status,
        reason: reason.as_deref(),
        reviewer: &actor.subject,
        topic_id,
        at: now,
    };
    store::suggestions::decide(&mut tx, id, decision).await?;
    if let Some(topic_id) = topic_id {
        let accepted = TopicSuggestionAccepted {
            suggestion_id: id,
            partner_id: current.partner_id,
            topic_id,
            title: current.suggested_topic.clone(),
            description: current.description.clone(),
            category: shared_domain::names::enum_name(&*current.category),
            accepted_by: actor.subject.clone(),
            accepted_at: now,
        };
        enqueue(&mut tx, &accepted, &context).await?;
    }
    let record = store::suggestions::lock(&mut tx, id)
        .await?
        .ok_or(PartnerError::NotFound("suggestion", id))?;
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(SuggestionResponse::from(record)),
    )
        .into_response())
}
