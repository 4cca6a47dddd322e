//! The CORS answers a browser needs from an allow-listed origin: a preflight that names
//! every request header the front end sends (a wildcard does not cover `Authorization`)
//! and responses that expose `ETag` and `Location`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use service_kit::auth::Authenticator;
use service_kit::server::with_layers;
use service_kit::ServiceConfig;
use tower::ServiceExt;

const FRONT_END: &str = "http://localhost:5173";

fn app() -> Router {
    let config = ServiceConfig::from_lookup(8081, |name| match name {
        "DATABASE_URL" => Some("postgres://x@127.0.0.1/db".into()),
        "KAFKA_BROKERS" => Some("127.0.0.1:9092".into()),
        "CORS_ALLOWED_ORIGINS" => Some(FRONT_END.into()),
        _ => None,
    })
    .unwrap();
    let api = Router::new().route(
        "/api/v1/things",
        get(|| async { ([("etag", "\"v1\""), ("location", "/api/v1/things/1")], "{}") }),
    );
    let auth = Authenticator::new(&config.auth, config.tokens.clone());
    with_layers(api, &config, &auth)
}

fn listed(value: Option<&axum::http::HeaderValue>) -> Vec<String> {
    value
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .collect()
}

#[tokio::test]
async fn preflight_from_the_front_end_lists_every_header_it_sends() {
    let preflight = Request::options("/api/v1/things")
        .header("origin", FRONT_END)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization,content-type,if-match,if-none-match,idempotency-key",
        )
        .body(Body::empty())
        .unwrap();
    let answer = app().oneshot(preflight).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let headers = answer.headers();
    assert_eq!(headers["access-control-allow-origin"], FRONT_END);
    let allowed = listed(headers.get("access-control-allow-headers"));
    for header in [
        "authorization",
        "content-type",
        "if-match",
        "if-none-match",
        "idempotency-key",
    ] {
        assert!(
            allowed.contains(&header.to_owned()),
            "{header} not in {allowed:?}"
        );
    }
    assert!(!allowed.contains(&"*".to_owned()));
    assert!(listed(headers.get("access-control-allow-methods")).contains(&"patch".to_owned()));
}

#[tokio::test]
async fn responses_expose_etag_and_location_to_the_front_end() {
    let request = Request::get("/api/v1/things")
        .header("origin", FRONT_END)
        .body(Body::empty())
        .unwrap();
    let answer = app().oneshot(request).await.unwrap();
    let exposed = listed(answer.headers().get("access-control-expose-headers"));
    assert!(exposed.contains(&"etag".to_owned()) && exposed.contains(&"location".to_owned()));
}

#[tokio::test]
async fn other_origins_get_no_cors_grant() {
    let request = Request::get("/api/v1/things")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    let answer = app().oneshot(request).await.unwrap();
    assert!(answer
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
