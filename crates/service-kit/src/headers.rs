//! Headers every answer carries: `X-Content-Type-Options: nosniff` always, and
//! `Cache-Control: no-store` on every answer to a caller with a token (what an
//! authenticated caller reads may be personal; only anonymous public reads may be cached).

use axum::extract::Request;
use axum::http::header::{HeaderValue, AUTHORIZATION, CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
use axum::middleware::Next;
use axum::response::Response;

pub async fn security_headers(request: Request, next: Next) -> Response {
    let authenticated = request.headers().contains_key(AUTHORIZATION);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if authenticated {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
