//! Erasure leaves nothing readable in the tables every schema shares: no dead letter that
//! names the person, no stored idempotent answer that shows them.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::{eventually, TestDb, TestService};
use rdkafka::producer::FutureRecord;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Connection;

const EMAIL: &str = "grace.erase@example.ch";

#[tokio::test]
async fn erasure_forgets_dead_letters_and_stored_answers_naming_the_person() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let created = organizer
        .client
        .post(attendees.url("/api/v1/attendees"))
        .bearer_auth(organizer.token.as_deref().unwrap())
        .header("idempotency-key", "grace-1")
        .json(
            &json!({"email": EMAIL, "firstName": "Grace", "lastName": "Hopper",
            "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    fleet_tests::producer(&fleet_tests::brokers())
        .send(
            FutureRecord::to(&attendees.topic("events"))
                .key("k")
                .payload(&format!("not an envelope, about {EMAIL}")),
            Duration::from_secs(5),
        )
        .await
        .expect("raw message produced");
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let held = "select (select count(*) from attendees.dead_letters where payload ilike '%grace.erase%')
        + (select count(*) from attendees.idempotency_keys
           where position(convert_to('grace.erase', 'UTF8') in coalesce(response_body, ''::bytea)) > 0)";
    eventually(
        Duration::from_secs(90),
        "the message is dead-lettered",
        || async {
            let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
            let count: i64 = sqlx::query_scalar(held)
                .fetch_one(&mut admin)
                .await
                .unwrap();
            (count == 2).then_some(())
        },
    )
    .await;

    let erased = organizer
        .call(
            Method::DELETE,
            &format!("/api/v1/attendees/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar(held)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        left, 0,
        "a dead letter or a stored answer still shows the person"
    );
}
