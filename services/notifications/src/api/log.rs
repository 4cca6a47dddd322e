//! `/api/v1/notifications`: the notification log for organizers — what was sent to whom,
//! with which template version, and how its delivery went; a failed mail can be resent.
//! Secrets of self-service links in the mails are redacted in every answer.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{fingerprint, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query};
use shared_domain::validation::implausible_time;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{require_organizer, AppState};
use crate::domain::{enum_name, DeliveryStatus, NotificationError};
use crate::store::log::{self as store, LogFilter, LogRow};

/// A logged notification.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationResponse {
    pub id: Uuid,
    pub user_id: Uuid,
    pub recipient_email: Option<String>,
    pub notification_type: String,
    pub channel: String,
    pub template_id: Option<Uuid>,
    pub template_version: Option<i32>,
    pub language: Option<String>,
    pub subject: String,
    pub text_body: String,
    pub delivery_status: DeliveryStatus,
    /// When it is (or was) due to go out.
    pub send_after: DateTime<Utc>,
    /// The digest it went out in.
    pub digest_id: Option<Uuid>,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub ses_message_id: Option<String>,
    pub error_message: Option<String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<LogRow> for NotificationResponse {
    fn from(row: LogRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            recipient_email: row.recipient_email,
            notification_type: row.notification_type,
            channel: row.channel.to_string(),
            template_id: row.template_id,
            template_version: row.template_version,
            language: row.language,
            subject: service_kit::redact::text(&row.subject),
            text_body: service_kit::redact::text(&row.text_body),
            delivery_status: *row.delivery_status,
            send_after: row.send_after,
            digest_id: row.digest_id,
            attempts: row.attempts,
            sent_at: row.sent_at,
            ses_message_id: row.ses_message_id,
            error_message: row.error_message,
            metadata: service_kit::redact::json(row.metadata),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListNotificationsQuery {
    /// The recipient's id (speaker, attendee or organizer).
    pub recipient_id: Option<Uuid>,
    pub notification_type: Option<String>,
    pub status: Option<DeliveryStatus>,
    /// Logged at or after.
    pub from: Option<DateTime<Utc>>,
    /// Logged before.
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Lists the log, newest first, with filters (organizers).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(ListNotificationsQuery),
    responses((status = 200, body = Page<NotificationResponse>), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_notifications(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListNotificationsQuery>,
) -> Result<Json<Page<NotificationResponse>>, ApiError> {
    require_organizer(&actor)?;
    if query
        .notification_type
        .as_deref()
        .is_some_and(|t| t.contains('\0') || t.chars().count() > 50)
    {
        return Err(ApiError::malformed_field(
            "notificationType",
            "must be a notification type",
        ));
    }
    let out_of_range: Vec<_> = [("from", query.from), ("to", query.to)]
        .into_iter()
        .filter_map(|(field, time)| time.and_then(|t| implausible_time(field, t)))
        .collect();
    if !out_of_range.is_empty() {
        return Err(ApiError::validation(out_of_range));
    }
    let page = PageRequest::parse::<(DateTime<Utc>, Uuid)>(query.limit, query.cursor.as_deref())?;
    let filter = LogFilter {
        user_id: query.recipient_id,
        notification_type: query.notification_type,
        status: query.status.map(|s| enum_name(&s)),
        from: query.from,
        to: query.to,
    };
    let rows = store::list_notifications(
        &state.pool,
        &filter,
        page.after.as_ref(),
        page.fetch_limit(),
    )
    .await?;
    let page = Page::from_rows(rows, page.limit, |r| (r.created_at, r.id));
    Ok(Json(page.map(NotificationResponse::from)))
}

/// Reads one logged notification (organizers).
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications", params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_notification(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<NotificationResponse>, ApiError> {
    require_organizer(&actor)?;
    let row = store::fetch_notification(&state.pool, id)
        .await?
        .ok_or(NotificationError::NotFound("notification", id))?;
    Ok(Json(row.into()))
}

/// Puts a failed notification back in the queue with fresh attempts (organizers).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/resend", tag = "notifications", params(("id" = Uuid, Path)),
    responses((status = 202, body = NotificationResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only failed notifications are resent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another notification", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn resend_notification(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    require_organizer(&actor)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint(&id)).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let row = store::fetch_notification(&mut *tx, id)
        .await?
        .ok_or(NotificationError::NotFound("notification", id))?;
    if !store::requeue(&mut tx, id, state.clock.now()).await? {
        return Err(NotificationError::Conflict(format!(
            "notification {id} is {}; only failed notifications are resent",
            row.delivery_status
        ))
        .into());
    }
    let row = store::fetch_notification(&mut *tx, id)
        .await?
        .ok_or(NotificationError::NotFound("notification", id))?;
    let body = NotificationResponse::from(row);
    let answer = SavedResponse::json(StatusCode::ACCEPTED, HeaderMap::new(), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}
