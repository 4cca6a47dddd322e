//! The common layers wrap the router as a whole and still learn the route each request
//! matched: the metrics count it under its route template, an unknown path as `unmatched`.

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
    let api = Router::new().route("/api/v1/gadgets/{id}", get(|| async { "a gadget" }));
    let auth = Authenticator::new(&config.auth, config.tokens.clone());
    with_layers(api, &config, &auth)
}

/// The count of `http_requests_total` with exactly these labels.
fn requests(method: &str, route: &str, status: &str) -> u64 {
    prometheus::gather()
        .iter()
        .filter(|family| family.name() == "http_requests_total")
        .flat_map(|family| family.get_metric())
        .filter(|metric| {
            let labels: Vec<(&str, &str)> = metric
                .get_label()
                .iter()
                .map(|l| (l.name(), l.value()))
                .collect();
            labels.contains(&("method", method))
                && labels.contains(&("route", route))
                && labels.contains(&("status", status))
        })
        .map(|metric| metric.get_counter().get_value() as u64)
        .sum()
}

async fn get_status(app: &Router, path: &str) -> StatusCode {
    app.clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn requests_are_counted_under_the_route_they_matched_and_unknown_paths_as_unmatched() {
    let app = app();
    let (gadgets, unmatched) = (
        requests("GET", "/api/v1/gadgets/{id}", "200"),
        requests("GET", "unmatched", "404"),
    );

    assert_eq!(get_status(&app, "/api/v1/gadgets/1").await, StatusCode::OK);
    assert_eq!(get_status(&app, "/api/v1/gadgets/2").await, StatusCode::OK);
    assert_eq!(
        get_status(&app, "/api/v1/nothing").await,
        StatusCode::NOT_FOUND
    );

    assert_eq!(requests("GET", "/api/v1/gadgets/{id}", "200"), gadgets + 2);
    assert_eq!(requests("GET", "unmatched", "404"), unmatched + 1);
}
