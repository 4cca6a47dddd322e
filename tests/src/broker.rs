//! The broker under test, and an independent Kafka client that reads a topic raw.

use std::collections::HashMap;
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};

/// `KAFKA_BROKERS` of the test run (a local tansu by default).
pub fn brokers() -> String {
    std::env::var("KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".into())
}

/// One message as an outside client sees it.
#[derive(Debug, Clone)]
pub struct RawMessage {
    pub key: Option<String>,
    pub headers: HashMap<String, String>,
    pub payload: serde_json::Value,
    pub partition: i32,
}

/// Reads `topic` from the beginning with a fresh group until `expected` messages arrived
/// or `quiet` passed without a new one; returns what it read.
pub async fn read_topic(
    brokers: &str,
    topic: &str,
    expected: usize,
    quiet: Duration,
) -> Vec<RawMessage> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", crate::unique("reader-"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("session.timeout.ms", "10000")
        .create()
        .expect("reader consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut messages = Vec::new();
    // The first group join takes several seconds on the local broker.
    let mut wait = quiet + Duration::from_secs(10);
    let mut errors = 0;
    while messages.len() < expected {
        match tokio::time::timeout(wait, consumer.recv()).await {
            Ok(Ok(m)) => {
                let headers = m
                    .headers()
                    .map(|hs| {
                        hs.iter()
                            .filter_map(|h| {
                                Some((h.key.to_owned(), String::from_utf8(h.value?.to_vec()).ok()?))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                messages.push(RawMessage {
                    key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    headers,
                    payload: serde_json::from_slice(m.payload().unwrap_or_default())
                        .unwrap_or(serde_json::Value::Null),
                    partition: m.partition(),
                });
                wait = quiet;
            }
            // Transient consumer errors (e.g. metadata not yet propagated) are retried.
            Ok(Err(e)) => {
                errors += 1;
                assert!(errors < 50, "reading {topic}: {e}");
            }
            Err(_) => break,
        }
    }
    messages
}

/// Publishes `event` as another context would (a well-formed envelope keyed by its
/// aggregate) on `<prefix>.<context>.v1`.
pub async fn publish<E: shared_domain::IntegrationEvent>(
    producer: &rdkafka::producer::FutureProducer,
    prefix: &str,
    event: &E,
) {
    let envelope = event_bus::Envelope::wrap(event, &event_bus::EventContext::default())
        .expect("payload serializes");
    publish_envelope(producer, prefix, E::CONTEXT, &envelope).await;
}

/// Publishes `envelope` as is on `<prefix>.<context>.v1` (again, to show redelivery).
pub async fn publish_envelope(
    producer: &rdkafka::producer::FutureProducer,
    prefix: &str,
    context: &str,
    envelope: &event_bus::Envelope,
) {
    let topic = format!("{prefix}.{context}.v1");
    let payload = serde_json::to_vec(&envelope.payload).expect("JSON");
    let record = rdkafka::producer::FutureRecord::to(&topic)
        .key(&envelope.subject)
        .payload(&payload)
        .headers(envelope.headers());
    producer
        .send(record, Duration::from_secs(10))
        .await
        .expect("published");
}

/// A plain producer for tests that play another context.
pub fn producer(brokers: &str) -> rdkafka::producer::FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "5")
        .create()
        .expect("producer")
}
