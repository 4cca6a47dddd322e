//! The Kafka transport: client settings, topic naming and topic creation.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

use crate::broker_losses::{CountingLosses, Producer};

/// How a service reaches the broker.
#[derive(Debug, Clone)]
pub struct BusConfig {
    /// `bootstrap.servers`, e.g. `127.0.0.1:9092`.
    pub brokers: String,
    /// Topic naming; `batbern` in every real deployment.
    pub topics: Topics,
    /// Partitions of the topics a service creates at start-up.
    pub partitions: i32,
}

/// Topic naming: `<prefix>.<context>.v1`, plus `<prefix>.<service>.dlq` for dead letters.
#[derive(Debug, Clone)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    /// Names topics under `prefix` (`batbern` outside tests).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// The topic a context publishes its events on.
    pub fn of_context(&self, context: &str) -> String {
        format!("{}.{context}.v1", self.prefix)
    }

    /// The dead-letter topic of a consuming service.
    pub fn dead_letters_of(&self, service: &str) -> String {
        format!("{}.{service}.dlq", self.prefix)
    }
}

impl Default for Topics {
    fn default() -> Self {
        Self::new("batbern")
    }
}

/// A client setting from the environment (`name`), else `default`.
fn tuning(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

impl BusConfig {
    fn client(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.brokers);
        // `KAFKA_DEBUG=cgrp,topic,...` turns on librdkafka's own debug contexts (logged at
        // debug level under the `librdkafka` target).
        if let Ok(contexts) = std::env::var("KAFKA_DEBUG") {
            config.set("debug", contexts);
        }
        config
    }

    /// An idempotent producer (`acks=all`, ordered retries) for the outbox relay.
    pub fn producer(&self) -> Result<Producer, KafkaError> {
        self.client()
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("compression.type", "lz4")
            // `KAFKA_LINGER_MS` trades latency for bigger batches (scripts/bench measures
            // the hop). The relay hands over a whole claimed batch at once, so a short
            // linger loses little batching.
            .set("linger.ms", tuning("KAFKA_LINGER_MS", "1"))
            // A delivery that cannot finish in time fails back to the relay, which keeps the
            // rows unpublished and retries them; nothing is dropped.
            .set("message.timeout.ms", "15000")
            .create_with_context(CountingLosses)
    }

    /// Consumer settings shared by every service consumer; offsets are stored by hand only
    /// after the inbox transaction committed, and the consumer commits them itself
    /// ([`crate::consumer`]): never on close, so a member ended after a broker loss leaves
    /// no position of the lost log in the new broker's group.
    pub fn consumer_config(&self, group_id: &str) -> ClientConfig {
        let session_timeout: u32 = tuning("KAFKA_SESSION_TIMEOUT_MS", "2000")
            .parse()
            .unwrap_or(2000);
        let mut config = self.client();
        config
            .set("group.id", group_id)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            // `KAFKA_SESSION_TIMEOUT_MS`: how soon a silent member's partitions go to the
            // others; short locally, Apache Kafka accepts 6000 or more.
            .set("session.timeout.ms", session_timeout.to_string())
            .set("heartbeat.interval.ms", (session_timeout / 4).to_string())
            // How long the broker may hold a fetch that found nothing
            // (`KAFKA_FETCH_WAIT_MAX_MS`). Apache Kafka answers a waiting fetch as soon as a
            // record arrives, so production may wait longer and save idle fetches.
            .set("fetch.wait.max.ms", tuning("KAFKA_FETCH_WAIT_MAX_MS", "20"))
            .set("topic.metadata.refresh.interval.ms", "2000");
        config
    }

    /// Creates `topics` when missing (production clusters disable auto-creation).
    pub async fn ensure_topics(&self, topics: &[String]) -> Result<(), KafkaError> {
        let admin: AdminClient<DefaultClientContext> = self.client().create()?;
        let new: Vec<NewTopic> = topics
            .iter()
            .map(|name| NewTopic::new(name, self.partitions, TopicReplication::Fixed(1)))
            .collect();
        let options = AdminOptions::new()
            .operation_timeout(Some(Duration::from_secs(10)))
            .request_timeout(Some(Duration::from_secs(10)));
        for result in admin.create_topics(&new, &options).await? {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    return Err(KafkaError::AdminOp(code))
                        .inspect_err(|_| tracing::warn!(%topic, "topic creation failed"))
                }
            }
        }
        Ok(())
    }

    /// Asks the broker to drop consumer group `group_id` (its members and committed
    /// offsets). Apache Kafka refuses while the group has members (`NonEmptyGroup`); the
    /// local broker drops it, which frees a group wedged by a member that left while its
    /// join was pending.
    pub async fn delete_group(&self, group_id: &str) -> Result<(), KafkaError> {
        let admin: AdminClient<DefaultClientContext> = self.client().create()?;
        let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(10)));
        for result in admin.delete_groups(&[group_id], &options).await? {
            result.map_err(|(_, code)| KafkaError::AdminOp(code))?;
        }
        Ok(())
    }

    /// Whether the broker answers a metadata request within `timeout` (readiness).
    pub async fn is_reachable(&self, timeout: Duration) -> bool {
        let config = self.client();
        tokio::task::spawn_blocking(move || {
            let Ok(consumer) = config.create::<rdkafka::consumer::BaseConsumer>() else {
                return false;
            };
            use rdkafka::consumer::Consumer as _;
            consumer
                .fetch_metadata(None, timeout)
                .map(|m| !m.brokers().is_empty())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }
}
