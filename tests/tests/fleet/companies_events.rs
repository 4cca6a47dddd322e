//! What an independent Kafka client sees on the companies topic: one well-formed CloudEvents
//! envelope per committed change, none for refused ones.

use std::time::Duration;

use fleet_tests::{brokers, read_topic, token, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;

use crate::companies_api::create;

#[tokio::test]
async fn each_committed_change_is_one_envelope_on_the_topic() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let organizer = token(&["organizer"], None);
    let (_, _, acme) = create(&service, json!({"name": "Acme AG", "industry": "Software"})).await;
    let id = acme["id"].as_str().unwrap();
    // Refused changes: a duplicate name and a stale update publish nothing.
    assert_eq!(
        create(&service, json!({"name": "ACME AG", "industry": "x"}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let url = service.url(&format!("/api/v1/companies/{id}"));
    let update = |tag: &'static str| {
        service
            .client
            .patch(&url)
            .bearer_auth(&organizer)
            .header("if-match", tag)
            .json(&json!({"isPartner": true}))
            .send()
    };
    assert_eq!(update("\"1\"").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        update("\"1\"").await.unwrap().status(),
        StatusCode::PRECONDITION_FAILED
    );
    let archive = service
        .client
        .post(service.url(&format!("/api/v1/companies/{id}/archive")))
        .bearer_auth(&organizer)
        .header("if-match", "\"2\"")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(archive.status(), StatusCode::OK);

    let messages = read_topic(
        &brokers(),
        &service.topic("companies"),
        4,
        Duration::from_secs(3),
    )
    .await;

    let types: Vec<&str> = messages
        .iter()
        .map(|m| m.headers["ce_type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "companies.company.created.v1",
            "companies.company.updated.v1",
            "companies.company.archived.v1"
        ]
    );
    for message in &messages {
        assert_eq!(message.key.as_deref(), Some(id));
        assert_eq!(message.headers["ce_subject"], id);
        assert_eq!(message.headers["ce_source"], "/services/companies");
        assert_eq!(message.headers["ce_specversion"], "1.0");
        assert_eq!(message.headers["content-type"], "application/json");
        assert!(uuid::Uuid::parse_str(&message.headers["ce_id"]).is_ok());
        assert!(chrono::DateTime::parse_from_rfc3339(&message.headers["ce_time"]).is_ok());
        assert!(message.headers.contains_key("traceparent"));
        assert!(message.headers.contains_key("ce_correlationid"));
        assert_eq!(message.payload["companyId"], id);
    }
    assert_eq!(messages[0].payload["name"], "Acme AG");
    assert_eq!(messages[1].payload["isPartner"], true);
    assert_eq!(messages[1].payload["version"], 2);
    assert_eq!(
        messages[2].headers["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
}
