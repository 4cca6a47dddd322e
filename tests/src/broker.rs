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

/// One record exactly as it lies in a topic, bytes and all.
#[derive(Debug, Clone)]
pub struct RawRecord {
    pub topic: String,
    pub key: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub value: Vec<u8>,
}

impl RawRecord {
    /// Key, header names and values and value, lower-cased where they are text.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.key).into_owned();
        for (name, value) in &self.headers {
            text.push_str(name);
            text.push_str(&String::from_utf8_lossy(value));
        }
        text.push_str(&String::from_utf8_lossy(&self.value));
        text.to_lowercase()
    }
}

/// Every record of every topic whose name starts with `prefix`, read by an independent
/// client (no consumer group: each partition assigned from its first offset up to its
/// high watermark).
pub async fn read_every_topic(brokers: &str, prefix: &str) -> Vec<RawRecord> {
    use rdkafka::consumer::BaseConsumer;
    use rdkafka::{Offset, TopicPartitionList};
    let (brokers, prefix) = (brokers.to_owned(), prefix.to_owned());
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("group.id", crate::unique("auditor-"))
            .set("enable.auto.commit", "false")
            .create()
            .expect("auditor consumer");
        let timeout = Duration::from_secs(10);
        let metadata = consumer.fetch_metadata(None, timeout).expect("topic list");
        let mut ends = HashMap::new();
        let mut assignment = TopicPartitionList::new();
        for topic in metadata
            .topics()
            .iter()
            .filter(|t| t.name().starts_with(&prefix))
        {
            for partition in topic.partitions() {
                let (low, high) = consumer
                    .fetch_watermarks(topic.name(), partition.id(), timeout)
                    .expect("watermarks");
                if high > low {
                    ends.insert((topic.name().to_owned(), partition.id()), high);
                    assignment
                        .add_partition_offset(topic.name(), partition.id(), Offset::Offset(low))
                        .expect("assignable");
                }
            }
        }
        consumer.assign(&assignment).expect("assign");
        let mut records = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !ends.is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "topics not read to their end: {ends:?}"
            );
            let Some(result) = consumer.poll(Duration::from_millis(500)) else {
                continue;
            };
            let m = result.expect("a record");
            let headers = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| (h.key.to_owned(), h.value.unwrap_or_default().to_vec()))
                        .collect()
                })
                .unwrap_or_default();
            records.push(RawRecord {
                topic: m.topic().to_owned(),
                key: m.key().unwrap_or_default().to_vec(),
                headers,
                value: m.payload().unwrap_or_default().to_vec(),
            });
            let place = (m.topic().to_owned(), m.partition());
            if ends.get(&place).is_some_and(|end| m.offset() + 1 >= *end) {
                ends.remove(&place);
            }
        }
        records
    })
    .await
    .expect("the auditor ran")
}
