//! The events HTTP API and its OpenAPI document.

pub mod agenda;
pub mod agenda_changes;
pub mod dto;
pub mod events;
pub mod overflow;
pub mod quality;
pub mod roles;
pub mod sessions;
pub mod slots;
pub mod topic_dto;
pub mod topics;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::{ApiError, Authenticator};
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::EventError;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    pub agendas: crate::agenda::cache::AgendaCache,
    /// The speakers service's key route opens the names a published agenda shows.
    pub peers: service_kit::peers::Peers,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl From<EventError> for ApiError {
    fn from(error: EventError) -> Self {
        let detail = error.to_string();
        match error {
            EventError::NotFound(_)
            | EventError::SessionNotFound(_)
            | EventError::SlotNotFound(_) => ApiError::not_found(detail),
            EventError::TopicNotFound(_) => ApiError::not_found(detail),
            EventError::NumberTaken(_) | EventError::Conflict(_) => ApiError::conflict(detail),
            EventError::Transition(refused) => ApiError::from(refused),
            EventError::AgendaIncomplete(missing) => {
                ApiError::conflict(detail).with("missing", missing)
            }
            EventError::ContentNotApproved(speakers) => {
                ApiError::conflict(detail).with("unapprovedSpeakers", speakers)
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern events API", version = "1.0.0",
        description = "Events, their planning workflow, slot grid, sessions, automatic slot assignment and public agenda. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    tags((name = "events"), (name = "sessions"), (name = "slots"), (name = "agenda", description = "Public, no token"), (name = "roles"), (name = "overflow"), (name = "topics"), (name = "quality-review"))
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(events::create_event, events::list_events))
        .routes(routes!(events::get_event, events::update_event))
        .routes(routes!(events::change_status))
        .routes(routes!(events::change_workflow))
        .routes(routes!(sessions::create_session, sessions::list_sessions))
        .routes(routes!(sessions::get_session, sessions::update_session))
        .routes(routes!(sessions::cancel_session))
        .routes(routes!(sessions::put_session_speakers))
        .routes(routes!(slots::generate_slots))
        .routes(routes!(slots::list_slots))
        .routes(routes!(slots::update_slot))
        .routes(routes!(slots::auto_assign))
        .routes(routes!(slots::assign_manually))
        .routes(routes!(slots::put_slot_preferences))
        .routes(routes!(slots::list_slot_preferences))
        .routes(routes!(overflow::open_voting, overflow::get_overflow))
        .routes(routes!(overflow::cast_vote))
        .routes(routes!(overflow::complete_voting))
        .routes(routes!(roles::grant_role, roles::list_roles))
        .routes(routes!(roles::revoke_role))
        .routes(routes!(roles::create_role_change, roles::list_role_changes))
        .routes(routes!(roles::approve_role_change))
        .routes(routes!(roles::reject_role_change))
        .routes(routes!(
            quality::put_quality_review,
            quality::get_quality_review
        ))
        .routes(routes!(quality::put_session_review))
        .routes(routes!(topics::create_topic, topics::list_topics))
        .routes(routes!(topics::get_topic, topics::update_topic))
        .routes(routes!(topics::assign_topic, topics::list_event_topics))
        .routes(routes!(topics::put_usage_feedback))
        .routes(routes!(agenda::agenda_json))
        .routes(routes!(agenda::agenda_ical))
        .routes(routes!(agenda::agenda_frab))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/events.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the OpenAPI document and its interactive reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    let agendas = state.agendas.clone();
    router
        .layer(service_kit::around::AroundLayer(agenda::ForgetAfterWrites(
            agendas,
        )))
        .with_state(state)
        .merge(service_kit::openapi::api_reference("events", document))
}
