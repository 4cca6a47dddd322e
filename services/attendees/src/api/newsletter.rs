//! Newsletter double opt-in: subscribing creates a pending subscription and announces the
//! confirmation (the notifications context mails the link); the link's token confirms it;
//! a one-click token ends it. Tokens are single-purpose secrets; only their hashes are kept.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, RequestContext, Role};
use shared_domain::Validator;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::newsletter::{self, SubscriptionStatus};
use crate::domain::registration::Registrar;
use crate::newsletter_links::{self, LinkAction};
use crate::store;
use crate::store::newsletter::SubscriptionRecord;

/// Body of `POST /api/v1/newsletter/subscriptions`.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscribeRequest {
    /// Required for organizers; an attendee token subscribes itself.
    pub attendee_id: Option<Uuid>,
    /// Where the consent is given, e.g. `registration_form`.
    pub source: String,
}

/// Body of the confirm and unsubscribe links.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

/// A subscription as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionResponse {
    pub id: Uuid,
    pub attendee_id: Uuid,
    /// pending, confirmed or unsubscribed.
    pub status: SubscriptionStatus,
    pub source: String,
    pub requested_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

impl From<SubscriptionRecord> for SubscriptionResponse {
    fn from(r: SubscriptionRecord) -> Self {
        SubscriptionResponse {
            id: r.id,
            attendee_id: r.attendee_id,
            status: *r.status,
            source: r.source,
            requested_at: r.requested_at,
            confirmed_at: r.confirmed_at,
            unsubscribed_at: r.unsubscribed_at,
        }
    }
}

/// Asks for the newsletter (double opt-in): 202 with a pending subscription whose
/// confirmation link is mailed; an existing pending or confirmed one is returned as is.
#[utoipa::path(post, path = "/api/v1/newsletter/subscriptions", tag = "newsletter", request_body = SubscribeRequest,
    responses((status = 202, description = "Confirmation mailed", body = SubscriptionResponse), (status = 200, description = "Already subscribed or pending", body = SubscriptionResponse),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn subscribe(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    Json(request): Json<SubscribeRequest>,
) -> Result<Response, ApiError> {
    let request_hash = idempotency::fingerprint(&request);
    let registrar = Registrar {
        organizer: actor.has(Role::Organizer),
        attendee: actor.attendee_id.filter(|_| actor.has(Role::Attendee)),
    };
    let attendee_id = registrar.whom(request.attendee_id)?;
    let mut v = Validator::new();
    let source = v.text("source", &request.source, 100);
    let source = v.finish_with(source).map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    store::attendees::lock_attendee(&mut tx, attendee_id)
        .await?
        .filter(|a| a.erased_at.is_none())
        .ok_or_else(|| ApiError::invalid_field("attendeeId", "is not a known attendee"))?;
    let live = store::newsletter::lock_live(&mut tx, attendee_id).await?;
    let stale = live
        .as_ref()
        .filter(|s| newsletter::past_confirmation(*s.status, s.requested_at, Utc::now()));
    if let Some(stale) = stale {
        store::newsletter::delete_pending(&mut tx, stale.id).await?;
    } else if let Some(existing) = live {
        let body = SubscriptionResponse::from(existing);
        let answer = SavedResponse::json(StatusCode::OK, HeaderMap::new(), &body);
        let response = once.finish(&mut tx, answer).await?;
        tx.commit().await?;
        return Ok(response);
    }
    newsletter_links::start_subscription(&mut tx, attendee_id, &source, &context).await?;
    let created = store::newsletter::lock_live(&mut tx, attendee_id)
        .await?
        .ok_or_else(|| ApiError::internal("subscription vanished"))?;
    let body = SubscriptionResponse::from(created);
    let answer = SavedResponse::json(StatusCode::ACCEPTED, HeaderMap::new(), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Confirms a subscription with the token of the confirmation mail (no login needed).
#[utoipa::path(post, path = "/api/v1/newsletter/confirm", tag = "newsletter", request_body = TokenRequest,
    responses((status = 200, body = SubscriptionResponse), (status = 404, description = "Unknown token", body = Problem), (status = 410, description = "Ended meanwhile, or requested more than 7 days ago", body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    Json(request): Json<TokenRequest>,
) -> Result<Json<SubscriptionResponse>, ApiError> {
    let record =
        newsletter_links::follow(&state.pool, &request.token, LinkAction::Confirm, &context)
            .await?;
    Ok(Json(SubscriptionResponse::from(record)))
}

/// Ends a subscription with the one-click token of any newsletter mail (no login needed).
#[utoipa::path(post, path = "/api/v1/newsletter/unsubscribe", tag = "newsletter", request_body = TokenRequest,
    responses((status = 200, body = SubscriptionResponse), (status = 404, description = "Unknown token", body = Problem)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    Json(request): Json<TokenRequest>,
) -> Result<Json<SubscriptionResponse>, ApiError> {
    let record = newsletter_links::follow(
        &state.pool,
        &request.token,
        LinkAction::Unsubscribe,
        &context,
    )
    .await?;
    Ok(Json(SubscriptionResponse::from(record)))
}
