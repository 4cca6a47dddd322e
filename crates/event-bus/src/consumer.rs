//! The idempotent consumer: for each message, the inbox row `(event_id, handler)` and the
//! reaction commit in one transaction, and only then is the offset stored for commit. A
//! redelivered message finds its inbox row and changes nothing. A reaction that keeps
//! failing is parked in `dead_letters` (and the service's `.dlq` topic) so the partition
//! goes on; a malformed message is parked at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer as _, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::statistics::Statistics;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::envelope::Envelope;
use crate::kafka::BusConfig;
use crate::lag::LagReporter;
use crate::metrics;
use crate::trace;
use crate::workers::Heartbeat;

/// Why a reaction failed. Every failure is retried with backoff; lost database connections
/// are retried until the database returns, other failures until the attempts run out.
#[derive(Debug, thiserror::Error)]
pub enum ReactionError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("payload of {event_type} could not be decoded: {message}")]
    Payload { event_type: String, message: String },
    #[error("{0}")]
    Refused(String),
}

impl From<crate::outbox::OutboxError> for ReactionError {
    fn from(error: crate::outbox::OutboxError) -> Self {
        match error {
            crate::outbox::OutboxError::Database(e) => Self::Database(e),
            other => Self::Refused(other.to_string()),
        }
    }
}

impl ReactionError {
    fn is_outage(&self) -> bool {
        matches!(
            self,
            Self::Database(
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
            )
        )
    }
}

/// A service's saga steps: reactions to consumed events. Runs inside the inbox transaction,
/// so everything it writes (state, new outbox rows) commits atomically with the inbox row.
#[async_trait]
pub trait Reaction: Send + Sync + 'static {
    /// The stable handler name, part of the inbox key.
    fn handler(&self) -> &'static str;
    /// Applies one event; events of types it does not know are ignored.
    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError>;
}

/// How a service consumes.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// The consuming service (its consumer group and dead-letter topic are named after it).
    pub service: String,
    /// The consumer group; one per service.
    pub group_id: String,
    /// Topics subscribed to.
    pub topics: Vec<String>,
    /// Attempts before a message is dead-lettered.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt.
    pub initial_backoff: Duration,
    /// How long the consumer may wait for a group assignment before it is replaced.
    pub join_timeout: Duration,
}

/// Follows the group membership of a consumer: rebalance callbacks tell the heartbeat
/// whether partitions are assigned, and since when none are.
struct GroupMembership {
    heartbeat: Heartbeat,
    lag: Arc<LagReporter>,
    unassigned_since: Mutex<Option<Instant>>,
}

impl GroupMembership {
    fn new(heartbeat: Heartbeat, lag: Arc<LagReporter>) -> Self {
        heartbeat.set_joined(false);
        Self {
            heartbeat,
            lag,
            unassigned_since: Mutex::new(Some(Instant::now())),
        }
    }

    /// How long the consumer has been without an assignment, if it has none.
    fn unassigned_for(&self) -> Option<Duration> {
        let since = self
            .unassigned_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        since.map(|at| at.elapsed())
    }
}

impl ClientContext for GroupMembership {
    fn stats(&self, statistics: Statistics) {
        for (topic, stats) in &statistics.topics {
            for (partition, stats) in &stats.partitions {
                if *partition >= 0 && stats.hi_offset >= 0 {
                    self.lag.end_seen(topic, *partition, stats.hi_offset);
                }
            }
        }
    }
}

/// Where the consumer's fetching stands in a partition (a local lookup).
fn fetch_position(
    consumer: &StreamConsumer<GroupMembership>,
    topic: &str,
    partition: i32,
) -> Option<i64> {
    let positions = consumer.position().ok()?;
    match positions.find_partition(topic, partition)?.offset() {
        rdkafka::Offset::Offset(offset) => Some(offset),
        _ => None,
    }
}

impl ConsumerContext for GroupMembership {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let mut since = self
            .unassigned_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match rebalance {
            // An empty assignment (more members than partitions) is membership too.
            Rebalance::Assign(partitions) => {
                tracing::info!(
                    partitions = partitions.count(),
                    "consumer group assignment received"
                );
                *since = None;
                self.heartbeat.set_joined(true);
            }
            Rebalance::Revoke(partitions) => {
                for partition in partitions.elements() {
                    self.lag.revoked(partition.topic(), partition.partition());
                }
                since.get_or_insert_with(Instant::now);
                self.heartbeat.set_joined(false);
            }
            Rebalance::Error(error) => tracing::warn!(%error, "consumer group rebalance failed"),
        }
    }
}

/// Outcome of applying one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The reaction ran and committed.
    Applied,
    /// The inbox already held the event; nothing was done.
    Duplicate,
}

/// Runs the reaction of one service for every message of its topics.
pub struct Consumer {
    pool: PgPool,
    bus: BusConfig,
    settings: ConsumerSettings,
    reaction: Arc<dyn Reaction>,
}

impl Consumer {
    /// A consumer applying `reaction` within `pool`'s schema.
    pub fn new(
        pool: PgPool,
        bus: BusConfig,
        settings: ConsumerSettings,
        reaction: Arc<dyn Reaction>,
    ) -> Self {
        Self {
            pool,
            bus,
            settings,
            reaction,
        }
    }

    /// Consumes until `shutdown`; the message in hand is finished and offsets are committed
    /// before returning. Beats `heartbeat` at least once a second while healthy, and
    /// returns an error when the group has not assigned partitions to it within
    /// `join_timeout`, so that its supervisor starts a fresh member.
    pub async fn run(
        self,
        shutdown: CancellationToken,
        heartbeat: Heartbeat,
    ) -> Result<(), String> {
        // A broker that is down at start-up delays consumption; it does not stop it.
        let mut backoff = self.settings.initial_backoff;
        while let Err(error) = self.bus.ensure_topics(&self.settings.topics).await {
            tracing::warn!(%error, "topics not ready; retrying");
            heartbeat.beat();
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
        let lag = Arc::new(LagReporter::new(self.reaction.handler()));
        let context = GroupMembership::new(heartbeat.clone(), lag.clone());
        let consumer: StreamConsumer<GroupMembership> = self
            .bus
            .consumer_config(&self.settings.group_id)
            // The statistics carry each partition's high watermark (see `lag`).
            .set("statistics.interval.ms", "5000")
            .create_with_context(context)
            .map_err(|e| e.to_string())?;
        let topics: Vec<&str> = self.settings.topics.iter().map(String::as_str).collect();
        consumer.subscribe(&topics).map_err(|e| e.to_string())?;
        let dead_letter_producer: FutureProducer =
            self.bus.producer().map_err(|e| e.to_string())?;
        loop {
            heartbeat.beat();
            if let Some(waiting) = consumer.context().unassigned_for() {
                if waiting > self.settings.join_timeout {
                    return Err(format!(
                        "no partitions assigned by group {} within {}s",
                        self.settings.group_id,
                        waiting.as_secs()
                    ));
                }
            }
            let message = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                message = tokio::time::timeout(Duration::from_secs(1), consumer.recv()) => message,
            };
            let message = match message {
                Err(_idle) => continue,
                Ok(Ok(message)) => message,
                Ok(Err(error)) => {
                    tracing::warn!(%error, "consumer error; continuing");
                    continue;
                }
            };
            if !self
                .process(&message, &dead_letter_producer, &shutdown, &heartbeat)
                .await
            {
                // Shutdown interrupted this message: stop before any later message of its
                // partition could store an offset past it.
                break;
            }
            // Stored only after the inbox transaction (or the dead letter) committed.
            if let Err(error) = consumer.store_offset_from_message(&message) {
                tracing::warn!(%error, "offset could not be stored; the message may be redelivered");
            }
            let fetched = fetch_position(&consumer, message.topic(), message.partition());
            lag.applied(
                message.topic(),
                message.partition(),
                message.offset(),
                fetched,
            );
        }
        if let Err(error) = consumer.commit_consumer_state(CommitMode::Sync) {
            tracing::debug!(%error, "final offset commit skipped");
        }
        Ok(())
    }

    /// Handles one message; returns whether its offset may be stored (false only when
    /// shutdown interrupted an outage retry, so the message is redelivered after restart).
    async fn process(
        &self,
        message: &BorrowedMessage<'_>,
        dlq: &FutureProducer,
        shutdown: &CancellationToken,
        heartbeat: &Heartbeat,
    ) -> bool {
        let handler = self.reaction.handler();
        let mut envelope = match Envelope::from_message(message) {
            Ok(envelope) => envelope,
            Err(malformed) => {
                return self
                    .dead_letter(message, None, &malformed.to_string(), 0, dlq, shutdown)
                    .await
            }
        };
        // The reaction runs in a span continuing the producer's trace; the events it
        // writes carry this span's context (`EventContext::caused_by`).
        let span = trace::process_span(message.topic(), &envelope, handler);
        if let Some(traceparent) = trace::traceparent_of(&span) {
            envelope.traceparent = Some(traceparent);
        }
        self.react_until_done(message, &envelope, dlq, shutdown, heartbeat)
            .instrument(span)
            .await
    }

    /// Applies `envelope`, retrying with backoff; dead-letters it after the last attempt.
    async fn react_until_done(
        &self,
        message: &BorrowedMessage<'_>,
        envelope: &Envelope,
        dlq: &FutureProducer,
        shutdown: &CancellationToken,
        heartbeat: &Heartbeat,
    ) -> bool {
        let handler = self.reaction.handler();
        let mut backoff = self.settings.initial_backoff;
        let mut attempts = 0;
        loop {
            heartbeat.beat();
            match apply(&self.pool, self.reaction.as_ref(), envelope).await {
                Ok(applied) => {
                    let outcome = if applied == Applied::Applied {
                        "applied"
                    } else {
                        "duplicate"
                    };
                    metrics::CONSUMED
                        .with_label_values(&[handler, outcome])
                        .inc();
                    return true;
                }
                Err(error) => {
                    metrics::REACTION_FAILURES
                        .with_label_values(&[handler])
                        .inc();
                    if !error.is_outage() {
                        attempts += 1;
                    }
                    tracing::warn!(%error, event_id = %envelope.id, event_type = %envelope.event_type, attempts, "reaction failed");
                    if attempts >= self.settings.max_attempts {
                        return self
                            .dead_letter(
                                message,
                                Some(envelope),
                                &error.to_string(),
                                attempts,
                                dlq,
                                shutdown,
                            )
                            .await;
                    }
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return false,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    }

    async fn dead_letter(
        &self,
        message: &BorrowedMessage<'_>,
        envelope: Option<&Envelope>,
        error: &str,
        attempts: u32,
        dlq: &FutureProducer,
        shutdown: &CancellationToken,
    ) -> bool {
        let headers: serde_json::Map<String, serde_json::Value> = message
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            storable(h.key),
                            json!(h.value.map(|v| storable(&String::from_utf8_lossy(v)))),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let headers = serde_json::Value::Object(headers);
        let payload = message
            .payload()
            .map(|p| storable(&String::from_utf8_lossy(p)));
        let handler = self.reaction.handler();
        let mut backoff = self.settings.initial_backoff;
        loop {
            let inserted = sqlx::query(
                "insert into dead_letters (id, handler, event_id, event_type, topic, partition, \"offset\", \
                 message_key, headers, payload, error, attempts) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(handler)
            .bind(envelope.map(|e| e.id))
            .bind(envelope.map(|e| e.event_type.as_str()))
            .bind(message.topic())
            .bind(message.partition())
            .bind(message.offset())
            .bind(message.key().map(|k| storable(&String::from_utf8_lossy(k))))
            .bind(&headers)
            .bind(&payload)
            .bind(storable(error))
            .bind(attempts as i32)
            .execute(&self.pool)
            .await;
            match inserted {
                Ok(_) => break,
                Err(db_error) => {
                    tracing::error!(%db_error, "dead letter could not be stored; retrying")
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return false,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
        metrics::CONSUMED
            .with_label_values(&[handler, "dead_lettered"])
            .inc();
        tracing::error!(%error, topic = message.topic(), offset = message.offset(), "message dead-lettered");
        let topic = self.bus.topics.dead_letters_of(&self.settings.service);
        let mut record = FutureRecord::to(&topic).payload(message.payload().unwrap_or_default());
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(headers) = message.headers() {
            record = record.headers(headers.detach());
        }
        if let Err((error, _)) = dlq.send(record, Duration::from_secs(5)).await {
            tracing::warn!(%error, "dead letter not copied to the dlq topic; it is kept in dead_letters");
        }
        true
    }
}

/// `text` as Postgres can store it: its text types hold no NUL character, so a poisoned
/// message's NULs become U+FFFD in the record of it instead of failing the record forever.
fn storable(text: &str) -> String {
    text.replace('\0', "\u{fffd}")
}

/// Applies `envelope` once for `reaction`: the inbox row and the reaction's writes commit
/// together, so a second delivery of the same event id is a no-op.
pub async fn apply(
    pool: &PgPool,
    reaction: &dyn Reaction,
    envelope: &Envelope,
) -> Result<Applied, ReactionError> {
    let mut tx = pool.begin().await?;
    let fresh = sqlx::query("insert into inbox (event_id, handler, event_type, correlation_id) values ($1, $2, $3, $4) on conflict do nothing")
        .bind(envelope.id)
        .bind(reaction.handler())
        .bind(&envelope.event_type)
        .bind(&envelope.correlation_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if !fresh {
        tx.commit().await?;
        return Ok(Applied::Duplicate);
    }
    let span = tracing::info_span!("react", otel.name = %format!("react {}", envelope.event_type), handler = reaction.handler());
    reaction.react(&mut tx, envelope).instrument(span).await?;
    tx.commit().await?;
    Ok(Applied::Applied)
}
