//! The speakers HTTP API and its OpenAPI document.

pub mod assignments;
pub mod dto;
pub mod invitations;
pub mod preferences;
pub mod privacy;
pub mod review;
pub mod speakers;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::peers::Peers;
use service_kit::{ApiError, Authenticator, ProblemKind};
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::SpeakerError;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    /// Signs invitation links.
    pub signing_secret: String,
    /// Where invitation links point.
    pub public_base_url: String,
    /// The other services, for what they hold about a person (the export).
    pub peers: Peers,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl From<SpeakerError> for ApiError {
    fn from(error: SpeakerError) -> Self {
        let detail = error.to_string();
        match error {
            SpeakerError::NotFound(_) | SpeakerError::InvitationNotFound(_) => {
                ApiError::not_found(detail)
            }
            SpeakerError::EmailTaken { existing_id } => {
                ApiError::conflict(detail).with("existingId", existing_id.to_string())
            }
            SpeakerError::Transition(refused) => ApiError::from(refused),
            SpeakerError::Conflict(_) => ApiError::conflict(detail),
            SpeakerError::Gone(_) => ApiError::new(ProblemKind::Gone, detail),
            SpeakerError::Forbidden(_) => ApiError::forbidden(detail),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern speakers API", version = "1.0.0",
        description = "Speakers, their self-service, and the invitation saga with signed links. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    tags((name = "speakers"), (name = "invitations", description = "Answered with the signed link; no account needed"), (name = "quality-review"))
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(speakers::create_speaker, speakers::list_speakers))
        .routes(routes!(speakers::get_me, speakers::update_me))
        .routes(routes!(
            speakers::get_speaker,
            speakers::update_speaker,
            privacy::erase_speaker
        ))
        .routes(routes!(privacy::export_speaker))
        .routes(routes!(preferences::submit_preferences))
        .routes(routes!(assignments::change_workflow))
        .routes(routes!(assignments::speaking_history))
        .routes(routes!(review::submit, review::get_submission))
        .routes(routes!(review::review))
        .routes(routes!(invitations::invite))
        .routes(routes!(invitations::view_invitation))
        .routes(routes!(invitations::accept))
        .routes(routes!(invitations::decline))
        .routes(routes!(invitations::withdraw))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/speakers.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the OpenAPI document and its interactive reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    router
        .with_state(state)
        .merge(service_kit::openapi::api_reference("speakers", document))
}
