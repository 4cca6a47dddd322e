//! Poison on the bus: on every topic the fleet consumes, a message that is no envelope, a
//! payload that is not JSON, an event type no one knows, an unknown version of a known
//! type and an oversized payload that fits no contract. Every consumer parks what it
//! cannot read, passes by what it does not react to, goes on past what follows on the same
//! partition (its group commits the offset after it), counts what it parked in `/metrics`, lists it at `/ops/dead-letters` and
//! refuses to replay what is no envelope.

use std::collections::BTreeMap;
use std::time::Duration;

use event_bus::{Envelope, EventContext};
use fleet_tests::api::Api;
use fleet_tests::people::start_group;
use fleet_tests::{brokers, eventually, producer, TestDb, TestService};
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

const SERVICES: [&str; 7] = [
    "events",
    "companies",
    "attendees",
    "speakers",
    "notifications",
    "partners",
    "content",
];

/// The contexts `service` consumes (its `ServiceSpec.consumes`).
fn consumed_by(service: &str) -> &'static [&'static str] {
    match service {
        "events" => events::SPEC.consumes,
        "companies" => companies::SPEC.consumes,
        "attendees" => attendees::SPEC.consumes,
        "speakers" => speakers::SPEC.consumes,
        "notifications" => notifications::SPEC.consumes,
        "partners" => partners::SPEC.consumes,
        "content" => content::SPEC.consumes,
        other => panic!("no service {other}"),
    }
}

/// Publishes one message; returns its partition and offset.
async fn send(
    producer: &FutureProducer,
    topic: &str,
    key: &str,
    payload: &[u8],
    headers: OwnedHeaders,
) -> (i32, i64) {
    let delivered = producer
        .send(
            FutureRecord::to(topic)
                .key(key)
                .payload(payload)
                .headers(headers),
            Duration::from_secs(10),
        )
        .await
        .expect("published");
    (delivered.partition, delivered.offset)
}

/// The offset consumer group `group` committed on `topic`'s `partition` (the next message
/// it will read), asked without joining the group.
async fn committed(group: String, topic: String, partition: i32) -> Option<i64> {
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers())
            .set("group.id", &group)
            .create()
            .ok()?;
        let mut wanted = TopicPartitionList::new();
        wanted.add_partition(&topic, partition);
        let offsets = consumer
            .committed_offsets(wanted, Duration::from_secs(5))
            .ok()?;
        match offsets.find_partition(&topic, partition)?.offset() {
            Offset::Offset(offset) => Some(offset),
            _ => None,
        }
    })
    .await
    .ok()?
}

/// An envelope of `event_type` from `context` with `payload`, keyed `key`.
fn envelope(context: &str, event_type: &str, key: &str, payload: serde_json::Value) -> Envelope {
    Envelope {
        id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        source: format!("/services/{context}"),
        time: chrono::Utc::now(),
        subject: key.to_owned(),
        correlation_id: Some("poison-test".into()),
        causation_id: None,
        traceparent: EventContext::default().traceparent,
        payload,
    }
}

/// Publishes the poison of `context`'s topic, then one harmless event on the same key;
/// returns the harmless event's partition and offset.
async fn poison(producer: &FutureProducer, prefix: &str, context: &str) -> (i32, i64) {
    let topic = format!("{prefix}.{context}.v1");
    let key = Uuid::now_v7().to_string();
    let known = shared_domain::contracts::catalog::catalog()
        .into_iter()
        .find(|e| e.context == context)
        .expect("every producing context has events")
        .event_type;
    send(producer, &topic, &key, b"{}", OwnedHeaders::new()).await;
    let not_json = envelope(context, known, &key, json!({}));
    send(producer, &topic, &key, b"\x00not json{", not_json.headers()).await;
    for event_type in [
        format!("{context}.poison.exploded.v1"),
        known.replace(".v1", ".v99"),
    ] {
        let unknown = envelope(context, &event_type, &key, json!({"what": "unknown"}));
        send(
            producer,
            &topic,
            &key,
            br#"{"what":"unknown"}"#,
            unknown.headers(),
        )
        .await;
    }
    let oversized = json!({"filler": "x".repeat(300_000)});
    let big = envelope(context, known, &key, oversized.clone());
    send(
        producer,
        &topic,
        &key,
        &serde_json::to_vec(&oversized).unwrap(),
        big.headers(),
    )
    .await;
    let after = envelope(
        context,
        &format!("{context}.poison.after.v1"),
        &key,
        json!({}),
    );
    send(producer, &topic, &key, b"{}", after.headers()).await
}

/// How many messages the consumers dead-lettered, as `/metrics` say (the services of one
/// test share the process, so each one's page counts them all).
async fn dead_lettered(service: &TestService) -> u64 {
    service
        .metrics()
        .await
        .lines()
        .filter(|l| l.starts_with("bus_messages_consumed_total{"))
        .filter(|l| l.contains("outcome=\"dead_lettered\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

#[tokio::test]
async fn every_consumer_parks_or_skips_poison_and_keeps_flowing() {
    let db = TestDb::create().await;
    let services = start_group(&db, &SERVICES).await;
    for service in &services {
        service.wait_until_ready().await;
    }
    let prefix = services[0].topic_prefix.clone();
    let producer = producer(&brokers());
    let mut after = BTreeMap::new();
    for context in [
        "companies",
        "events",
        "attendees",
        "speakers",
        "partners",
        "content",
    ] {
        after.insert(context, poison(&producer, &prefix, context).await);
    }

    let mut parked_in_all = 0;
    for (name, service) in SERVICES.iter().zip(&services) {
        let pool = sqlx::PgPool::connect(&service.database_url).await.unwrap();
        let consumed = consumed_by(name);
        for context in consumed {
            let (partition, offset) = after[context];
            let (group, topic) = (
                format!("{prefix}.{name}.v1-consumer"),
                format!("{prefix}.{context}.v1"),
            );
            eventually(
                Duration::from_secs(90),
                &format!("{name} goes past what follows the poison on {context}'s topic"),
                || async {
                    let next = committed(group.clone(), topic.clone(), partition).await?;
                    (next > offset).then_some(())
                },
            )
            .await;
        }
        // Two per topic at least: the message that is no envelope and the one that is no JSON.
        let parked: i64 = sqlx::query_scalar(&format!("select count(*) from {name}.dead_letters"))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(
            parked >= 2 * consumed.len() as i64,
            "{name} parked {parked} messages of {} topics",
            consumed.len()
        );
        parked_in_all += parked as u64;

        let organizer = Api::as_roles(service, &["organizer"]);
        let letters = organizer
            .get("/ops/dead-letters?limit=100")
            .await
            .expect(StatusCode::OK);
        let letters = letters["items"].as_array().unwrap();
        assert_eq!(letters.len() as i64, parked, "{name} lists what it parked");
        let no_envelope = letters
            .iter()
            .find(|l| l["eventId"].is_null())
            .expect("the message that is no envelope is listed");
        organizer
            .post(
                &format!(
                    "/ops/dead-letters/{}/replay",
                    no_envelope["id"].as_str().unwrap()
                ),
                &json!({}),
            )
            .await
            .expect_problem(StatusCode::CONFLICT, None);
        let anonymous = Api::anonymous(service).get("/ops/dead-letters").await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
    assert!(
        dead_lettered(&services[0]).await >= parked_in_all,
        "the consumers count the {parked_in_all} messages they parked"
    );
}
