//! Roles from the platform: the events context's grants decide in every service, not the
//! token's roles claim alone. A grant for one event gives that role for that event only; a
//! demoted organizer is refused everywhere while their token is still valid.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{eventually, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_organizer_for_one_event_plans_that_event_only() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let anna = Api::as_user(&events, "anna", &["organizer"]);
    let mut ids = Vec::new();
    for number in [301, 302] {
        let created = anna
            .post("/api/v1/events", &evening_event(number, 50))
            .await
            .expect(StatusCode::CREATED);
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let helper = Api::as_user(&events, "helper", &["attendee"]);
    let preferences = |id: &str| format!("/api/v1/events/{id}/slot-preferences");
    assert_eq!(
        helper.get(&preferences(&ids[0])).await.status,
        StatusCode::FORBIDDEN
    );
    anna.post(
        "/api/v1/roles",
        &json!({"userId": "helper", "role": "organizer", "eventId": ids[0]}),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(
        helper.get(&preferences(&ids[0])).await.status,
        StatusCode::OK
    );
    let other = helper.get(&preferences(&ids[1])).await;
    assert_eq!(
        other.status,
        StatusCode::FORBIDDEN,
        "another event: {:?}",
        other.body
    );
    let global = helper.post("/api/v1/events", &evening_event(303, 50)).await;
    assert_eq!(
        global.status,
        StatusCode::FORBIDDEN,
        "no platform-wide organizer"
    );
}

#[tokio::test]
async fn a_demoted_organizer_is_refused_everywhere_before_the_token_expires() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let anna = Api::as_user(&events, "anna", &["organizer"]);
    for name in ["anna", "bert", "carla", "xaver"] {
        anna.post(
            "/api/v1/roles",
            &json!({"userId": name, "role": "organizer"}),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    let xaver = Api::as_user(&companies, "xaver", &["organizer"]);
    xaver
        .post(
            "/api/v1/companies",
            &json!({"name": "Before AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);

    let request = anna
        .post(
            "/api/v1/role-change-requests",
            &json!({"userId": "xaver", "currentRole": "organizer", "requestedRole": "attendee", "reason": "leaves the board"}),
        )
        .await
        .expect(StatusCode::CREATED);
    Api::as_user(&events, "carla", &["organizer"])
        .post(
            &format!(
                "/api/v1/role-change-requests/{}/approve",
                request["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);

    let in_events = Api::as_user(&events, "xaver", &["organizer"])
        .post("/api/v1/events", &evening_event(304, 50))
        .await;
    assert_eq!(
        in_events.status,
        StatusCode::FORBIDDEN,
        "at once where the grant lives"
    );
    eventually(
        Duration::from_secs(90),
        "companies learns of the demotion",
        || async {
            let answer = xaver
                .post(
                    "/api/v1/companies",
                    &json!({"name": "After AG", "industry": "IT"}),
                )
                .await;
            (answer.status == StatusCode::FORBIDDEN).then_some(())
        },
    )
    .await;
    let still = Api::as_user(&companies, "bert", &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Bert AG", "industry": "IT"}),
        )
        .await;
    assert_eq!(
        still.status,
        StatusCode::CREATED,
        "the other organizers keep their role"
    );
}
