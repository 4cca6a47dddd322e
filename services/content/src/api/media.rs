//! `GET /media/{key}`: the public address of a file (logos, photos, published materials)
//! when no CDN stands in front of the store: a redirect to a short-lived presigned GET.
//! Anything not public answers 404.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use service_kit::{ApiError, Path, RequestContext};

use super::files::count;
use super::{owners, AppState};
use crate::domain::file::{is_public, safe_name};
use crate::store::files;

/// The public media route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{*key}", get(media))
}

async fn media(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    let gone = || ApiError::not_found("no such public file");
    let f = files::by_key(&state.pool, &key).await?.ok_or_else(gone)?;
    let public = is_public(*f.content_type);
    if !public && !owners::session_material_public(&state, &f).await? {
        return Err(gone());
    }
    if !public {
        let downloader = format!("address:{}", service_kit::rate_limit::address_of(&headers));
        count(&state, &f, None, &downloader, &context).await?;
    }
    let url = state
        .store
        .presign_download(
            &f.s3_key,
            &safe_name(&f.original_filename),
            &f.mime_type,
            public,
            state.settings.download_expiry,
        )
        .await?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, url),
            (header::CACHE_CONTROL, "public, max-age=60".into()),
        ],
    )
        .into_response())
}
