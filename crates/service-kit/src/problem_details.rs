//! Makes every error answer a problem: adds `instance` (the request's path) and the
//! request id to problem bodies, and turns any other error answer (framework rejections,
//! 405, timeouts, a refused body) into one. A successful answer and a page pass as they
//! are; only an error's body is read, so only then does the answer wait on a boxed
//! future.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use futures::future::BoxFuture;
use tower::{Layer, Service};

use crate::problem::{ApiError, ProblemKind, PROBLEM_JSON};

/// Largest error body read to be turned into a problem.
const ERROR_BODY_LIMIT: usize = 256 * 1024;

/// The layer.
#[derive(Clone, Copy)]
pub struct ProblemDetailsLayer;

impl<S> Layer<S> for ProblemDetailsLayer {
    type Service = ProblemDetails<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProblemDetails { inner }
    }
}

/// `inner` whose error answers are problems.
#[derive(Clone)]
pub struct ProblemDetails<S> {
    inner: S,
}

impl<S, B> Service<Request> for ProblemDetails<S>
where
    S: Service<Request, Response = http::Response<B>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ProblemFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // Both are cheap to clone: they share the bytes the request arrived in.
        let asked = Asked {
            uri: request.uri().clone(),
            request_id: request.headers().get("x-request-id").cloned(),
        };
        ProblemFuture::Answering {
            inner: self.inner.call(request),
            asked: Some(asked),
        }
    }
}

/// What a problem names of the request it answers.
pub struct Asked {
    uri: Uri,
    request_id: Option<HeaderValue>,
}

pin_project_lite::pin_project! {
    /// The inner answer, and, when it is an error, its rendering as a problem.
    #[project = Projected]
    pub enum ProblemFuture<F> {
        Answering { #[pin] inner: F, asked: Option<Asked> },
        Rendering { problem: BoxFuture<'static, Response> },
    }
}

impl<F, B, E> Future for ProblemFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                Projected::Answering { inner, asked } => {
                    let response = ready!(inner.poll(cx))?.map(Body::new);
                    let status = response.status();
                    let error = status.is_client_error() || status.is_server_error();
                    let asked = match asked.take() {
                        Some(asked) if error && !crate::pages::is_page(&response) => asked,
                        _ => return Poll::Ready(Ok(response)),
                    };
                    self.set(ProblemFuture::Rendering {
                        problem: Box::pin(render(response, asked)),
                    });
                }
                Projected::Rendering { problem } => return problem.as_mut().poll(cx).map(Ok),
            }
        }
    }
}

/// The error answer `response` as a problem naming what was `asked`.
async fn render(response: Response, asked: Asked) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, ERROR_BODY_LIMIT)
        .await
        .unwrap_or_default();
    let mut problem = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(value @ serde_json::Value::Object(_)) if is_problem => value,
        _ => {
            let kind = ProblemKind::from_status(status);
            let text = String::from_utf8_lossy(&bytes).trim().to_owned();
            let detail = if text.is_empty() || kind == ProblemKind::Internal {
                kind.describe().2.to_owned()
            } else {
                text
            };
            let mut value = ApiError::new(kind, detail).body();
            value["status"] = status.as_u16().into();
            value
        }
    };
    problem["instance"] = asked.uri.path().into();
    if let Some(id) = asked.request_id.as_ref().and_then(|v| v.to_str().ok()) {
        problem["requestId"] = id.into();
    }
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(CONTENT_LENGTH);
    (parts, problem.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::ServiceExt;

    use super::*;

    /// The answer of an inner service that answers `status` with `body` of `content_type`.
    async fn through_layer(
        status: u16,
        content_type: &'static str,
        body: &'static str,
    ) -> (Response, serde_json::Value) {
        let inner = tower::service_fn(move |_: Request| async move {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
            Ok::<_, Infallible>(response)
        });
        let request = Request::builder()
            .uri("/api/v1/things/7?x=1")
            .header("x-request-id", "req-1")
            .body(Body::empty())
            .expect("request");
        let response = ProblemDetailsLayer
            .layer(inner)
            .oneshot(request)
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.expect("body");
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (Response::from_parts(parts, Body::from(bytes)), json)
    }

    #[tokio::test]
    async fn a_plain_error_becomes_a_problem_naming_the_path_and_the_request() {
        let (response, problem) = through_layer(404, "text/plain", "nothing here").await;
        assert_eq!(response.headers()[CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(problem["status"], 404);
        assert_eq!(problem["detail"], "nothing here");
        assert_eq!(problem["instance"], "/api/v1/things/7");
        assert_eq!(problem["requestId"], "req-1");
    }

    #[tokio::test]
    async fn a_problem_keeps_its_fields_and_gains_the_path_and_the_request() {
        let body = r#"{"type":"about:blank","title":"Unprocessable","status":422,"detail":"bad","errors":[{"field":"name","message":"required"}]}"#;
        let (_, problem) = through_layer(422, PROBLEM_JSON, body).await;
        assert_eq!(problem["detail"], "bad");
        assert_eq!(problem["errors"][0]["field"], "name");
        assert_eq!(problem["instance"], "/api/v1/things/7");
        assert_eq!(problem["requestId"], "req-1");
    }

    #[tokio::test]
    async fn a_success_and_a_page_pass_as_they_are() {
        let (response, _) = through_layer(200, "text/plain", "fine").await;
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        assert_eq!(&bytes[..], b"fine");
        let (response, _) = through_layer(404, "text/html; charset=utf-8", "<p>gone</p>").await;
        assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    }
}
