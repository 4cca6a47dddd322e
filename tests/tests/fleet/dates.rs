//! Dates outside the years the platform plans for are refused naming their field, and a
//! cursor or filter holding one is a client error: never a 500, never a stored date that
//! overflows later arithmetic.

use base64::Engine;
use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;

fn dated(date: &str) -> serde_json::Value {
    let mut event = evening_event(7001, 100);
    event["eventDate"] = json!(date);
    event["registrationDeadline"] = json!(date);
    event
}

#[tokio::test]
async fn an_event_in_year_minus_5000_is_refused_naming_its_date() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let answer = organizer
        .post("/api/v1/events", &dated("-5000-01-01T00:00:00Z"))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["errors"][0]["field"], "eventDate");
}

#[tokio::test]
async fn an_event_in_year_262142_is_refused_before_it_is_stored() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let answer = organizer
        .post("/api/v1/events", &dated("+262142-01-01T00:00:00Z"))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let listed = organizer.get("/api/v1/events").await.expect(StatusCode::OK);
    assert!(listed["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_cursor_holding_year_minus_5000_is_a_client_error() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let key = json!([
        "-5000-01-01T00:00:00Z",
        "01930000-0000-7000-8000-000000000001"
    ]);
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string());
    let answer = organizer
        .get(&format!("/api/v1/events?cursor={cursor}"))
        .await;
    assert!(
        answer.status.is_client_error(),
        "{} {}",
        answer.status,
        answer.body
    );
    assert_eq!(answer.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_new_event_in_the_past_is_refused_naming_its_date() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    Api::as_roles(&service, &["organizer"])
        .post("/api/v1/events", &dated("2020-03-12T16:00:00Z"))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("eventDate"));
}
