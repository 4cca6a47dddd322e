//! The notifications HTTP API and its OpenAPI document.

pub mod log;
pub mod preferences;
pub mod rules;
pub mod templates;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::{Actor, ApiError, Authenticator, Role};
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::clock::Clock;
use crate::domain::NotificationError;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    pub clock: Arc<dyn Clock>,
    /// The secret the SES event webhook must present.
    pub webhook_token: Arc<str>,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl From<NotificationError> for ApiError {
    fn from(error: NotificationError) -> Self {
        let detail = error.to_string();
        match error {
            NotificationError::NotFound(..) => ApiError::not_found(detail),
            NotificationError::Conflict(_) => ApiError::conflict(detail),
            NotificationError::Forbidden(_) => ApiError::forbidden(detail),
        }
    }
}

/// 403 unless the caller organizes.
pub fn require_organizer(actor: &Actor) -> Result<(), ApiError> {
    actor.require_any(&[Role::Organizer])
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern notifications API", version = "1.0.0",
        description = "Email templates (versioned, de and en), notification preferences, deadline escalation rules, the notification log and the SES event webhook. Mail goes out through AWS SES v2. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    tags(
        (name = "email-templates", description = "Versioned templates; one active version per type and language"),
        (name = "notification-preferences", description = "Per person, channel and type; mandatory mails ignore them"),
        (name = "escalation-rules", description = "Deadline reminders in three tiers and escalation to backup organizers"),
        (name = "notifications", description = "The log of every notification and its delivery"),
        (name = "webhooks", description = "SES delivery, bounce and complaint events"),
    )
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            templates::list_templates,
            templates::create_template
        ))
        .routes(routes!(templates::get_template))
        .routes(routes!(templates::activate_template))
        .routes(routes!(templates::preview_template))
        .routes(routes!(preferences::list_preferences))
        .routes(routes!(preferences::set_preference))
        .routes(routes!(preferences::set_contact))
        .routes(routes!(rules::create_rule, rules::list_rules))
        .routes(routes!(
            rules::get_rule,
            rules::update_rule,
            rules::deactivate_rule
        ))
        .routes(routes!(log::list_notifications))
        .routes(routes!(log::get_notification))
        .routes(routes!(log::resend_notification))
        .routes(routes!(webhooks::ses_events))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/notifications.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the OpenAPI document and its interactive reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    router
        .with_state(state)
        .merge(service_kit::openapi::api_reference(
            "notifications",
            document,
        ))
}
