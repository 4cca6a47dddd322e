//! The content HTTP API and its OpenAPI document.

pub mod dto;
pub mod files;
pub mod materials;
pub mod media;
pub mod owners;
pub mod quotas;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::{Actor, ApiError, Authenticator, Role};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::access::Uploader;
use crate::scanner::Scanner;
use crate::settings::ContentSettings;
use crate::storage::{ObjectStore, StoreError};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: sqlx::PgPool,
    pub auth: Arc<Authenticator>,
    pub store: ObjectStore,
    pub scanner: Scanner,
    pub settings: Arc<ContentSettings>,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

/// The caller as the content rules see them.
pub fn uploader(actor: Option<&Actor>) -> Uploader {
    let Some(actor) = actor else {
        return Uploader::Anonymous;
    };
    if actor.has(Role::Organizer) {
        Uploader::Organizer
    } else if let (true, Some(speaker_id)) = (actor.has(Role::Speaker), actor.speaker_id) {
        Uploader::Speaker { speaker_id }
    } else if let (true, Some(company_id)) = (actor.has(Role::Partner), actor.company_id) {
        Uploader::Partner { company_id }
    } else if actor.has(Role::Attendee) {
        Uploader::Attendee
    } else {
        Uploader::Anonymous
    }
}

/// The store or the scanner did not answer: 503, the request can be repeated.
pub fn unavailable(error: impl std::fmt::Display) -> ApiError {
    tracing::warn!(%error, "object store or virus scanner unavailable");
    ApiError::new(
        service_kit::problem::ProblemKind::Unavailable,
        "the file store or the virus scanner is unavailable; repeat the request",
    )
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        unavailable(error)
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern content API", version = "1.0.0",
        description = "Files in S3 (presentations, logos, speaker photos and CVs, event photos, archive material), storage quotas and session materials. Errors are RFC 9457 problem+json.\n\n\
**Upload**: `POST /api/v1/files` declares the file (name, content type, size, MIME type, SHA-256, owner); the quota is checked (organizers unlimited) and a presigned PUT is answered that binds length, type and checksum. The client PUTs the bytes straight to the store with exactly the `requiredHeaders`, then `POST /api/v1/files/{id}/confirm`: the service reads the object back, checks its size, SHA-256 and magic bytes against the declaration and scans it for viruses; the file ends `completed`, `failed` (with a reason) or `virus_detected` (the object is deleted). Confirming again answers the same decision. Only a completed file is announced (`content.file.uploaded.v1`): a company's logo, a speaker's photo, a session's presentation.\n\n\
**Quotas**: stored + pending + new bytes may not exceed the caller's limit (413 naming the quota and the usage); at 80 % a warning mail goes out once per crossing.\n\n\
**Downloads**: `GET /api/v1/files/{id}/download` answers a short-lived presigned GET, counted once per downloader and hour. Without a token only published materials of a published event can be downloaded.\n\n\
**Object keys**: `<content type>/<owner kind>/<owner id>/<file id>/<safe file name>`; public addresses are `<public base>/<object key>` (a CDN in production, the gateway's `/media` locally)."),
    modifiers(&BearerAuth),
    tags((name = "files"), (name = "storage-quotas"), (name = "session-materials"))
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(files::request_upload))
        .routes(routes!(files::get_file, files::delete_file))
        .routes(routes!(files::confirm_upload))
        .routes(routes!(files::download_file))
        .routes(routes!(quotas::my_quota))
        .routes(routes!(materials::get_materials, materials::update_details))
        .routes(routes!(materials::add_supplementary))
        .routes(routes!(materials::remove_supplementary))
        .routes(routes!(materials::set_primary))
        .routes(routes!(materials::publish))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/content.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the public media route, the OpenAPI document and its reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    router
        .merge(media::routes())
        .with_state(state)
        .merge(service_kit::openapi::api_reference("content", document))
}
