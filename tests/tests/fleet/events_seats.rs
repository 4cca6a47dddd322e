//! The seat side of the registration saga under a rush: two service instances consume the
//! requests concurrently; confirmed seats never exceed capacity and every request gets one
//! answer.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use fleet_tests::api::Api;
use fleet_tests::{brokers, eventually, producer, publish, read_topic, TestDb, TestService};
use futures::future::join_all;
use shared_domain::contracts::attendees::{RegistrationCancelled, RegistrationRequested};
use uuid::Uuid;

use fleet_tests::planning::{published_evening, walk_status};

#[tokio::test]
async fn a_rush_never_overbooks_and_every_request_is_answered_once() {
    const CAPACITY: i32 = 25;
    const REQUESTS: usize = 300;
    let db = TestDb::create().await;
    let first = TestService::events(&db).await;
    let second = TestService::events_replica(&first).await;
    let organizer = Api::as_roles(&first, &["organizer"]);
    let (event_id, _, _) = published_evening(&organizer, 70, CAPACITY).await;
    walk_status(&organizer, &event_id, &["registration_open"]).await;
    let event: Uuid = event_id.parse().unwrap();

    let producer = producer(&brokers());
    let requests: Vec<RegistrationRequested> = (0..REQUESTS)
        .map(|_| RegistrationRequested {
            registration_id: Uuid::now_v7(),
            event_id: event,
            attendee_id: Uuid::now_v7(),
            requested_at: Utc::now(),
        })
        .collect();
    join_all(
        requests
            .iter()
            .map(|r| publish(&producer, &first.topic_prefix, r)),
    )
    .await;

    let answers = read_topic(
        &brokers(),
        &first.topic("events"),
        100_000,
        Duration::from_secs(5),
    )
    .await;
    let seat_answers: Vec<_> = answers
        .iter()
        .filter(|m| m.headers["ce_type"].starts_with("events.seat."))
        .collect();
    let mut per_registration: HashMap<String, Vec<String>> = HashMap::new();
    for answer in &seat_answers {
        per_registration
            .entry(
                answer.payload["registrationId"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
            .or_default()
            .push(answer.headers["ce_type"].clone());
    }
    assert_eq!(per_registration.len(), REQUESTS, "every request answered");
    assert!(
        per_registration.values().all(|a| a.len() == 1),
        "answered once"
    );
    let reserved: Vec<&String> = per_registration
        .iter()
        .filter(|(_, a)| a[0] == "events.seat.reserved.v1")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(reserved.len(), CAPACITY as usize);
    assert!(seat_answers
        .iter()
        .filter(|m| m.headers["ce_type"] == "events.seat.refused.v1")
        .all(|m| m.payload["reason"] == "full"));
    let event_now = organizer
        .get(&format!("/api/v1/events/{event_id}"))
        .await
        .body;
    assert_eq!(event_now["currentAttendeeCount"], CAPACITY);

    for id in reserved.iter().take(5) {
        let cancelled = RegistrationCancelled {
            registration_id: id.parse().unwrap(),
            event_id: event,
            attendee_id: Uuid::now_v7(),
            cancelled_at: Utc::now(),
        };
        publish(&producer, &first.topic_prefix, &cancelled).await;
    }
    eventually(Duration::from_secs(60), "five seats released", || async {
        let taken = organizer
            .get(&format!("/api/v1/events/{event_id}"))
            .await
            .body["currentAttendeeCount"]
            .as_i64();
        (taken == Some(i64::from(CAPACITY) - 5)).then_some(())
    })
    .await;
    second.stop().await;
    first.stop().await;
}
