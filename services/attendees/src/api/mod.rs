//! The attendees HTTP API and its OpenAPI document.

pub mod attendance;
pub mod attendees;
pub mod dto;
pub mod newsletter;
pub mod privacy;
pub mod registrations;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::peers::Peers;
use service_kit::{ApiError, Authenticator};
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::AttendeeError;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    /// The other services, for what they hold about a person (the export).
    pub peers: Peers,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl From<AttendeeError> for ApiError {
    fn from(error: AttendeeError) -> Self {
        let detail = error.to_string();
        match error {
            AttendeeError::NotFound(_) | AttendeeError::RegistrationNotFound(_) => {
                ApiError::not_found(detail)
            }
            AttendeeError::EmailTaken { existing_id } => {
                ApiError::conflict(detail).with("existingId", existing_id.to_string())
            }
            AttendeeError::Conflict(_) => ApiError::conflict(detail),
            AttendeeError::Forbidden(_) => ApiError::forbidden(detail),
            AttendeeError::Invalid(errors) => ApiError::validation(errors),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern attendees API", version = "1.0.0",
        description = "Attendees, GDPR consent and event registrations with waitlist promotion. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    tags((name = "attendees"), (name = "registrations"), (name = "newsletter", description = "Double opt-in"))
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            attendees::create_attendee,
            attendees::list_attendees
        ))
        .routes(routes!(
            attendees::get_attendee,
            attendees::update_attendee,
            privacy::erase_attendee
        ))
        .routes(routes!(privacy::export_attendee))
        .routes(routes!(attendance::record_engagement))
        .routes(routes!(attendance::engagement_summary))
        .routes(routes!(attendance::confirm_attendance))
        .routes(routes!(attendance::record_attendance))
        .routes(routes!(attendance::record_attendance_bulk))
        .routes(routes!(newsletter::subscribe))
        .routes(routes!(newsletter::confirm))
        .routes(routes!(newsletter::unsubscribe))
        .routes(routes!(
            registrations::register,
            registrations::list_registrations
        ))
        .routes(routes!(registrations::get_registration))
        .routes(routes!(registrations::cancel_registration))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/attendees.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the OpenAPI document and its interactive reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    router
        .with_state(state)
        .merge(service_kit::openapi::api_reference("attendees", document))
}
