//! Handlers of `/api/v1/partners/{id}/webhooks`: a partner (or an organizer for it)
//! subscribes an https address to the events that concern the partner; the signing secret
//! is answered once, at creation. The delivery log shows every attempt's outcome; a
//! delivery can be sent again by hand.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{caller, visible_partner, AppState};
use crate::domain::webhook::{new_secret, NewSubscription};
use crate::domain::PartnerError;
use crate::store;
use crate::store::webhooks::{DeliveryRecord, SubscriptionRecord};

/// A subscription to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionRequest {
    /// Where deliveries are POSTed: https, a public host.
    pub url: String,
    /// Any of `attendees.registration.status_changed.v1` (the partner's employees'
    /// registrations), `partners.topic_suggestion.accepted.v1`,
    /// `partners.meeting.invited.v1`.
    pub event_types: Vec<String>,
}

/// A subscription as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionResponse {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    /// `active`, or `disabled` after deliveries kept failing.
    pub status: String,
    /// Deliveries failed in a row (each after all its retries).
    pub failed_deliveries: i32,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// The signing secret (`whsec_…`): answered once, at creation, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<SubscriptionRecord> for SubscriptionResponse {
    fn from(record: SubscriptionRecord) -> Self {
        Self {
            id: record.id,
            partner_id: record.partner_id,
            url: record.url,
            event_types: record.event_types,
            status: record.status,
            failed_deliveries: record.failed_deliveries,
            created_at: record.created_at,
            disabled_at: record.disabled_at,
            secret: None,
        }
    }
}

/// One delivery and its latest attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryResponse {
    /// Also the `webhook-id` header of every attempt.
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `pending` (due again at `nextAttemptAt`), `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's answer to the latest attempt.
    pub last_status_code: Option<i32>,
    /// Why the latest attempt got no answer.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// What was (or will be) POSTed: `type`, `timestamp`, `data`.
    pub body: serde_json::Value,
}

impl From<DeliveryRecord> for DeliveryResponse {
    fn from(record: DeliveryRecord) -> Self {
        Self {
            id: record.id,
            event_id: record.event_id,
            event_type: record.event_type,
            status: record.status,
            attempts: record.attempts,
            next_attempt_at: record.next_attempt_at,
            last_status_code: record.last_status_code,
            last_error: record.last_error,
            created_at: record.created_at,
            delivered_at: record.delivered_at,
            body: record.body,
        }
    }
}

/// Subscribes an address (organizers, or the partner itself). The answer holds the
/// signing secret, shown this once (and to a retry under the same `Idempotency-Key`).
#[utoipa::path(post, path = "/api/v1/partners/{id}/webhooks", tag = "partner-webhooks", request_body = SubscriptionRequest,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = SubscriptionResponse), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "The address may not receive deliveries, or an event type is unknown", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_subscription(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(partner_id): Path<Uuid>,
    body: Result<Json<SubscriptionRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let mut tx = state.pool.begin().await?;
    visible_partner(&mut tx, caller(&actor), partner_id).await?;
    let Json(request) = body?;
    let wanted = NewSubscription::parse(&request.url, &request.event_types, state.webhook_policy)
        .map_err(ApiError::validation)?;
    let fingerprint = idempotency::fingerprint(&(partner_id, &request.url, &request.event_types));
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let mut random = [0u8; 24];
    SystemRandom::new()
        .fill(&mut random)
        .map_err(|_| ApiError::internal("no randomness for a secret"))?;
    let record = SubscriptionRecord {
        id: shared_domain::new_id(),
        partner_id,
        url: wanted.url.to_string(),
        event_types: wanted.event_types,
        secret: new_secret(random),
        status: "active".into(),
        failed_deliveries: 0,
        created_at: Utc::now(),
        disabled_at: None,
    };
    store::webhooks::insert_subscription(&mut *tx, &record).await?;
    let body = SubscriptionResponse {
        secret: Some(record.secret.clone()),
        ..SubscriptionResponse::from(record)
    };
    let answer = SavedResponse::json(StatusCode::CREATED, HeaderMap::new(), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// A partner's subscriptions (no secrets).
#[utoipa::path(get, path = "/api/v1/partners/{id}/webhooks", tag = "partner-webhooks", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SubscriptionResponse>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    actor: Actor,
    Path(partner_id): Path<Uuid>,
) -> Result<Json<Vec<SubscriptionResponse>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    visible_partner(&mut conn, caller(&actor), partner_id).await?;
    let subscriptions = store::webhooks::fetch_subscriptions(&mut *conn, partner_id).await?;
    Ok(Json(subscriptions.into_iter().map(Into::into).collect()))
}

/// Ends a subscription and its delivery log.
#[utoipa::path(delete, path = "/api/v1/partners/{id}/webhooks/{subscriptionId}", tag = "partner-webhooks",
    params(("id" = Uuid, Path), ("subscriptionId" = Uuid, Path)),
    responses((status = 204, description = "Ended"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete_subscription(
    State(state): State<AppState>,
    actor: Actor,
    Path((partner_id, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let mut conn = state.pool.acquire().await?;
    visible_partner(&mut conn, caller(&actor), partner_id).await?;
    if !store::webhooks::delete_subscription(&mut *conn, partner_id, id).await? {
        return Err(PartnerError::NotFound("webhook subscription", id).into());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The delivery log of a subscription, newest first (the latest 100).
#[utoipa::path(get, path = "/api/v1/partners/{id}/webhooks/{subscriptionId}/deliveries", tag = "partner-webhooks",
    params(("id" = Uuid, Path), ("subscriptionId" = Uuid, Path)),
    responses((status = 200, body = Vec<DeliveryResponse>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    actor: Actor,
    Path((partner_id, id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Vec<DeliveryResponse>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    visible_partner(&mut conn, caller(&actor), partner_id).await?;
    store::webhooks::fetch_subscription(&mut *conn, partner_id, id)
        .await?
        .ok_or(PartnerError::NotFound("webhook subscription", id))?;
    let deliveries = store::webhooks::fetch_deliveries(&mut *conn, id, 100).await?;
    Ok(Json(deliveries.into_iter().map(Into::into).collect()))
}

/// Sends a delivery again, from a first attempt (e.g. once the receiver is fixed).
#[utoipa::path(post, path = "/api/v1/partners/{id}/webhooks/{subscriptionId}/deliveries/{deliveryId}/replay", tag = "partner-webhooks",
    params(("id" = Uuid, Path), ("subscriptionId" = Uuid, Path), ("deliveryId" = Uuid, Path)),
    responses((status = 202, body = DeliveryResponse), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The subscription is disabled", body = Problem),
        (status = 422, description = "The Idempotency-Key was used for another delivery", body = Problem)),
    security(("bearer" = [])))]
pub async fn replay_delivery(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path((partner_id, id, delivery_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let mut tx = state.pool.begin().await?;
    visible_partner(&mut tx, caller(&actor), partner_id).await?;
    let fingerprint = idempotency::fingerprint(&(partner_id, id, delivery_id));
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let subscription = store::webhooks::fetch_subscription(&mut *tx, partner_id, id)
        .await?
        .ok_or(PartnerError::NotFound("webhook subscription", id))?;
    if subscription.status != "active" {
        return Err(ApiError::conflict(
            "The subscription is disabled: subscribe the address again",
        ));
    }
    let delivery = store::webhooks::replay_delivery(&mut *tx, id, delivery_id, Utc::now())
        .await?
        .ok_or(PartnerError::NotFound("webhook delivery", delivery_id))?;
    let body = DeliveryResponse::from(delivery);
    let answer = SavedResponse::json(StatusCode::ACCEPTED, HeaderMap::new(), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}
