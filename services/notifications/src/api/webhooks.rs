//! `POST /api/v1/webhooks/ses`: SES delivery, bounce and complaint events (the SES event
//! JSON, as SNS delivers it or bare). They move the mail's `delivery_status`; a permanent
//! bounce or a complaint suppresses the address from further mail. The caller proves
//! itself with the shared token as the password of HTTP Basic auth (an SNS subscription to
//! `https://sns:<token>@<gateway>/api/v1/webhooks/ses` sends it so, and it stays out of
//! access logs) or in `?token=`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use service_kit::extract::parse_json;
use service_kit::problem::Problem;
use service_kit::{ApiError, Query};
use subtle::ConstantTimeEq;
use utoipa::IntoParams;

use super::AppState;
use crate::domain::DeliveryStatus;
use crate::store::{directory, log};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {
    /// The webhook's shared secret.
    pub token: Option<String>,
}

/// The token the caller presents: the Basic auth password, else `?token=`.
fn presented_token(headers: &HeaderMap, query: WebhookQuery) -> Option<String> {
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(_, password)| password.to_owned())
        });
    basic.or(query.token)
}

/// Compares in constant time, so response timing does not reveal the token.
fn same_secret(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// What an SES event says happened to a message.
#[derive(Debug, PartialEq, Eq)]
struct DeliveryEvent {
    message_id: String,
    status: DeliveryStatus,
    /// Addresses to suppress.
    suppress: Vec<String>,
    detail: Option<String>,
}

/// Text a column can hold: no NUL, at most `max` characters.
fn storable(text: &str, max: usize) -> bool {
    !text.contains('\0') && text.chars().count() <= max
}

fn addresses(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r.get("emailAddress").and_then(Value::as_str))
                .filter(|address| storable(address, 255))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads an SES event (`eventType` from event publishing, `notificationType` from
/// identity notifications); `None` for kinds that change nothing.
fn read_event(event: &Value) -> Option<DeliveryEvent> {
    let kind = event
        .get("eventType")
        .or_else(|| event.get("notificationType"))
        .and_then(Value::as_str)?;
    let message_id = event
        .pointer("/mail/messageId")
        .and_then(Value::as_str)
        .filter(|id| storable(id, 100))?
        .to_owned();
    match kind {
        "Delivery" => Some(DeliveryEvent {
            message_id,
            status: DeliveryStatus::Delivered,
            suppress: vec![],
            detail: None,
        }),
        "Bounce" => {
            let bounce_type = event
                .pointer("/bounce/bounceType")
                .and_then(Value::as_str)
                .unwrap_or("Undetermined");
            let permanent = bounce_type == "Permanent";
            Some(DeliveryEvent {
                message_id,
                status: DeliveryStatus::Bounced,
                suppress: if permanent {
                    addresses(event.pointer("/bounce/bouncedRecipients"))
                } else {
                    vec![]
                },
                detail: Some(format!("{bounce_type} bounce")),
            })
        }
        "Complaint" => Some(DeliveryEvent {
            message_id,
            status: DeliveryStatus::Complained,
            suppress: addresses(event.pointer("/complaint/complainedRecipients")),
            detail: Some("the recipient complained".into()),
        }),
        _ => None,
    }
}

/// Receives an SES event.
#[utoipa::path(post, path = "/api/v1/webhooks/ses", tag = "webhooks", params(WebhookQuery),
    request_body(content = Object, description = "An SES event, bare or inside an SNS notification (`Message`)"),
    responses((status = 204, description = "Applied (or nothing to apply)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn ses_events(
    State(state): State<AppState>,
    Query(query): Query<WebhookQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let token = presented_token(&headers, query);
    if !token
        .as_deref()
        .is_some_and(|t| same_secret(t, &state.webhook_token))
    {
        return Err(ApiError::unauthenticated(
            "The webhook token is missing or wrong",
        ));
    }
    let envelope: Value = parse_json(&body)?;
    let event = match envelope.get("Type").and_then(Value::as_str) {
        Some("SubscriptionConfirmation") => {
            tracing::warn!(url = ?envelope.get("SubscribeURL"), "SNS asks to confirm the subscription of the SES webhook");
            return Ok(StatusCode::NO_CONTENT);
        }
        Some(_) => {
            let message = envelope
                .get("Message")
                .and_then(Value::as_str)
                .unwrap_or_default();
            parse_json::<Value>(message.as_bytes())
                .map_err(|_| ApiError::invalid_field("Message", "is not an SES event"))?
        }
        None => envelope,
    };
    let Some(event) = read_event(&event) else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let applied = log::apply_delivery_event(
        &mut tx,
        &event.message_id,
        event.status,
        event.detail.as_deref(),
        now,
    )
    .await?;
    for address in &event.suppress {
        let reason = if event.status == DeliveryStatus::Complained {
            "complaint"
        } else {
            "bounce"
        };
        directory::suppress_address(&mut tx, address, reason, &event.message_id, now).await?;
    }
    tx.commit().await?;
    tracing::info!(message_id = %event.message_id, status = ?event.status, applied = applied.is_some(), "SES event");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_bounces_suppress_and_transient_ones_do_not() {
        let permanent = serde_json::json!({"eventType": "Bounce", "mail": {"messageId": "m1"},
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "a@b.ch"}]}});
        assert_eq!(read_event(&permanent).unwrap().suppress, ["a@b.ch"]);
        let transient = serde_json::json!({"notificationType": "Bounce", "mail": {"messageId": "m2"},
            "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "a@b.ch"}]}});
        let event = read_event(&transient).unwrap();
        assert!(event.suppress.is_empty());
        assert_eq!(event.status, DeliveryStatus::Bounced);
    }

    #[test]
    fn other_event_kinds_change_nothing() {
        let open = serde_json::json!({"eventType": "Open", "mail": {"messageId": "m"}});
        assert_eq!(read_event(&open), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
    }
}
