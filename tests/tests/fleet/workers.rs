//! Readiness watches the background workers: a consumer that makes no progress takes the
//! service out of readiness, named, until it moves again.

use std::time::Duration;

use fleet_tests::{eventually, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::Value;
use shared_domain::contracts::attendees::RegistrationRequested;
use sqlx::{Connection, Executor};
use uuid::Uuid;

async fn readiness(service: &TestService) -> (StatusCode, Value) {
    let answer = service
        .client
        .get(service.url("/health/ready"))
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_stalled_consumer_makes_the_service_unready_until_it_moves_again() {
    let db = TestDb::create().await;
    let events = TestService::events_with(&db, &[("WORKER_STALL_SECS", "2")]).await;
    eventually(
        Duration::from_secs(60),
        "the events service is ready",
        || async { (readiness(&events).await.0 == StatusCode::OK).then_some(()) },
    )
    .await;

    // Every event the consumer applies writes its inbox row first; holding the table lock
    // keeps the consumer waiting inside its transaction.
    let mut blocker = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    blocker
        .execute("begin; lock table events.inbox in exclusive mode")
        .await
        .unwrap();
    // A seat request the events service reacts to (for an event it does not know).
    let request = RegistrationRequested {
        registration_id: Uuid::now_v7(),
        event_id: Uuid::now_v7(),
        attendee_id: Uuid::now_v7(),
        requested_at: chrono::Utc::now(),
    };
    fleet_tests::publish(
        &fleet_tests::producer(&fleet_tests::brokers()),
        &events.topic_prefix,
        &request,
    )
    .await;

    let unready = eventually(
        Duration::from_secs(30),
        "readiness names the stalled consumer",
        || async {
            let (status, body) = readiness(&events).await;
            (status == StatusCode::SERVICE_UNAVAILABLE).then_some(body)
        },
    )
    .await;
    let consumer = unready["checks"]["workers"]["consumer"].as_str().unwrap();
    assert!(consumer.starts_with("stalled"), "{unready}");
    assert!(
        unready["detail"].as_str().unwrap().contains("consumer"),
        "{unready}"
    );

    blocker.execute("rollback").await.unwrap();
    eventually(
        Duration::from_secs(30),
        "the service is ready again",
        || async { (readiness(&events).await.0 == StatusCode::OK).then_some(()) },
    )
    .await;
    let metrics = events.metrics().await;
    assert!(
        metrics.contains("worker_up{worker=\"consumer\"} 1"),
        "{metrics}"
    );
}
