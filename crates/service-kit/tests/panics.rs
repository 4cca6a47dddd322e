//! A handler that panics answers a 500 problem naming the request, and the service keeps
//! serving.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use service_kit::auth::Authenticator;
use service_kit::server::with_layers;
use service_kit::ServiceConfig;
use tower::ServiceExt;

fn app() -> Router {
    let config = ServiceConfig::from_lookup(8081, |name| match name {
        "DATABASE_URL" => Some("postgres://x@127.0.0.1/db".into()),
        "KAFKA_BROKERS" => Some("127.0.0.1:9092".into()),
        _ => None,
    })
    .unwrap();
    let api = Router::new()
        .route("/api/v1/broken", get(broken))
        .route("/api/v1/fine", get(|| async { "fine" }));
    let auth = Authenticator::new(&config.auth, config.tokens.clone());
    with_layers(api, &config, &auth)
}

async fn broken() -> &'static str {
    panic!("arithmetic went wrong")
}

#[tokio::test]
async fn a_panicking_handler_answers_a_problem_with_the_request_id() {
    let app = app();
    let answer = app
        .clone()
        .oneshot(Request::get("/api/v1/broken").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.headers()["content-type"], "application/problem+json");
    let request_id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = axum::body::to_bytes(answer.into_body(), 65536)
        .await
        .unwrap();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "internal_error");
    assert_eq!(problem["requestId"], request_id.as_str());
    assert!(
        !problem["detail"].as_str().unwrap().contains("arithmetic"),
        "the cause is only logged"
    );

    let after = app
        .oneshot(Request::get("/api/v1/fine").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}
