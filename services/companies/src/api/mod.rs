//! The companies HTTP API and its OpenAPI document.

pub mod companies;
pub mod dto;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::Authenticator;
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern companies API", version = "1.0.0",
        description = "The company directory: companies, partner status and logos. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    tags((name = "companies", description = "Companies of speakers, partners and attendees"))
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            companies::create_company,
            companies::list_companies
        ))
        .routes(routes!(companies::get_company, companies::update_company))
        .routes(routes!(companies::archive_company))
        .routes(routes!(companies::get_company_logo))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/companies.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the OpenAPI document and its interactive reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    router
        .with_state(state)
        .merge(service_kit::openapi::api_reference("companies", document))
}
