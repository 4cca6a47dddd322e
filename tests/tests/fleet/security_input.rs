//! Input that could smuggle something: control characters in names are refused naming
//! the field; line breaks stay allowed where text has paragraphs.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;

async fn organizer() -> (TestService, Api) {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let api = Api::as_roles(&service, &["organizer"]);
    (service, api)
}

#[tokio::test]
async fn a_bell_in_a_company_name_is_refused_naming_name() {
    let (_service, organizer) = organizer().await;
    organizer
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme\u{7}", "industry": "IT"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
}

#[tokio::test]
async fn a_line_break_in_a_company_name_is_refused_naming_name() {
    let (_service, organizer) = organizer().await;
    organizer
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme\r\nBcc: someone@example.ch", "industry": "IT"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
}

#[tokio::test]
async fn a_description_keeps_its_paragraphs() {
    let (_service, organizer) = organizer().await;
    let description = "We build software.\n\nIn Bern since 1999.";
    let created = organizer
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme", "industry": "IT", "description": description}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["description"], description);
}

#[tokio::test]
async fn a_capacity_beyond_any_hall_is_refused_naming_it() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let mut event = fleet_tests::planning::evening_event(7002, 100);
    event["venue"]["capacity"] = json!(2_147_483_647);
    event["capacity"] = json!(2_147_483_647);
    Api::as_roles(&service, &["organizer"])
        .post("/api/v1/events", &event)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("venue.capacity"));
}

#[test]
fn seat_counts_are_bounded_in_the_documents() {
    let document: serde_json::Value =
        serde_json::from_str(include_str!("../../../openapi/events.json")).unwrap();
    let venue = &document["components"]["schemas"]["Venue"]["properties"]["capacity"];
    assert_eq!(venue["minimum"], 1);
    assert_eq!(venue["maximum"], 100_000);
}
