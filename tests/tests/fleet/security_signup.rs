//! Nobody signs up a stranger: a person creates only their own attendee record, with the
//! address their account holds, once.

use fleet_tests::api::Api;
use fleet_tests::services::token_of_account;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn person(email: &str) -> Value {
    json!({"email": email, "firstName": "Ada", "lastName": "Lovelace",
        "gdprConsent": {"given": true, "policyVersion": "2026-01"}})
}

async fn attendees() -> (TestService, TestService) {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    (events, service)
}

async fn recorded(service: &TestService) -> Value {
    Api::as_roles(service, &["organizer"])
        .get("/api/v1/attendees")
        .await
        .expect(StatusCode::OK)["items"]
        .clone()
}

#[tokio::test]
async fn a_token_without_an_address_or_for_another_address_enrols_nobody() {
    let (_events, service) = attendees().await;
    let anonymous_account = Api::as_user(&service, "account-1", &["attendee"]);
    anonymous_account
        .post("/api/v1/attendees", &person("stranger@example.ch"))
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
    let mallory = Api::at(
        &service.base_url,
        Some(token_of_account(
            "account-2",
            &["attendee"],
            "mallory@example.ch",
        )),
    );
    mallory
        .post("/api/v1/attendees", &person("stranger@example.ch"))
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
    assert_eq!(recorded(&service).await, json!([]), "no record, no consent");
}

#[tokio::test]
async fn a_person_signs_up_once_with_their_own_address() {
    let (_events, service) = attendees().await;
    let ada = Api::at(
        &service.base_url,
        Some(token_of_account(
            "account-ada",
            &["attendee"],
            "Ada@Example.ch",
        )),
    );
    let created = ada
        .post("/api/v1/attendees", &person("ada@example.ch"))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["email"], "ada@example.ch");
    let mut other_name = person("ada@example.ch");
    other_name["firstName"] = json!("Augusta");
    let again = ada.post("/api/v1/attendees", &other_name).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(recorded(&service).await.as_array().unwrap().len(), 1);
}
