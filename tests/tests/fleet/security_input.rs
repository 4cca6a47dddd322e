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
