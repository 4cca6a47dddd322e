//! The idempotent consumer: each message is applied through the inbox
//! ([`crate::inbox`]), and only then is its offset stored for commit. A reaction that keeps
//! failing is parked in `dead_letters` (and the service's `.dlq` topic) so the partition
//! goes on; a malformed message is parked at once.
//!
//! Messages that have already arrived when the consumer turns to them are applied together,
//! in order, in one transaction (up to [`BATCH_LIMIT`] messages, committed after
//! [`TRANSACTION_BUDGET`]): under load one commit serves many messages, while a lone message
//! is applied at once. When anything in such a transaction fails, its messages are applied
//! one at a time, each with its own retries.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures::FutureExt as _;
use rdkafka::consumer::{CommitMode, Consumer as _, StreamConsumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::producer::FutureRecord;
use serde_json::json;
use sqlx::PgPool;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, Span};

use crate::envelope::Envelope;
use crate::inbox::{apply, apply_together, Applied, Reaction};
use crate::kafka::BusConfig;
use crate::lag::LagReporter;
use crate::membership::GroupMembership;
use crate::metrics;
use crate::trace;
use crate::workers::{Heartbeat, Workers};

/// The most messages taken from the consumer's queue at once.
pub const BATCH_LIMIT: usize = 64;

/// How long one transaction applies messages before it commits those applied so far.
pub const TRANSACTION_BUDGET: Duration = Duration::from_millis(25);

/// How long a member goes without an assignment before it takes its group for wedged and
/// asks the broker to drop the group, once per such spell (see [`BusConfig::delete_group`]). The local broker
/// never assigns again in a group one of whose members left while its join was pending (as
/// a consumer does that crashes or is replaced right after a broker loss).
pub const WEDGED_JOIN: Duration = Duration::from_secs(20);

/// How long the check whether the broker answers again may take, asked once per idle
/// second while every connection to it is down.
const BROKER_BACK_CHECK: Duration = Duration::from_millis(500);

/// How often the stored offsets (those of applied messages) are committed to the group.
/// What a rebalance or crash leaves uncommitted is delivered again and dropped by the inbox.
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(500);

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

/// Runs the reaction of one service for every message of its topics.
pub struct Consumer {
    pool: PgPool,
    bus: BusConfig,
    settings: ConsumerSettings,
    reaction: Arc<dyn Reaction>,
    early: Option<EarlyMember>,
}

/// A member that joins its group before its consumer runs: made while the service still
/// migrates, so that the broker's hold on a join (a second on the local broker) passes
/// meanwhile. Its group protocol runs in the client's own threads; it takes no message
/// until the consumer that takes it over ([`Consumer::taking_over`]) asks for one.
pub struct EarlyMember {
    consumer: StreamConsumer<GroupMembership>,
    lag: Arc<LagReporter>,
}

impl EarlyMember {
    /// Creates the topics of `settings` and a member of its group subscribed to them, for
    /// the reaction `handler`. A consumer run without an early member makes its own this
    /// way, retrying while the broker is away.
    pub async fn join(
        bus: &BusConfig,
        settings: &ConsumerSettings,
        handler: &'static str,
    ) -> Result<Self, String> {
        bus.ensure_topics(&settings.topics)
            .await
            .map_err(|e| e.to_string())?;
        let lag = Arc::new(LagReporter::new(handler));
        let consumer: StreamConsumer<GroupMembership> = bus
            .consumer_config(&settings.group_id)
            // The statistics carry each partition's high watermark (see `lag`).
            .set("statistics.interval.ms", "5000")
            .create_with_context(GroupMembership::new(lag.clone()))
            .map_err(|e| e.to_string())?;
        let topics: Vec<&str> = settings.topics.iter().map(String::as_str).collect();
        consumer.subscribe(&topics).map_err(|e| e.to_string())?;
        Ok(Self { consumer, lag })
    }
}

/// What one member works with while it consumes.
struct Session<'a> {
    consumer: &'a StreamConsumer<GroupMembership>,
    lag: &'a LagReporter,
    /// The producer of the dead-letter topic, made at the first dead letter.
    dlq: OnceLock<crate::broker_losses::Producer>,
    shutdown: &'a CancellationToken,
    heartbeat: &'a Heartbeat,
}

impl Session<'_> {
    /// `message` is applied or parked: its offset may be committed.
    fn done(&self, message: &BorrowedMessage<'_>) {
        if let Err(error) = self.consumer.store_offset_from_message(message) {
            tracing::warn!(%error, "offset could not be stored; the message may be redelivered");
        }
        self.lag
            .applied(message.topic(), message.partition(), message.offset());
    }
}

/// A well-formed message with the span its reaction runs in.
struct Received<'m, 'c> {
    message: &'m BorrowedMessage<'c>,
    envelope: Envelope,
    span: Span,
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
            early: None,
        }
    }

    /// This consumer runs with `early` (when given) instead of a member of its own.
    pub fn taking_over(mut self, early: Option<EarlyMember>) -> Self {
        self.early = early;
        self
    }

    /// Runs this consumer as the worker `name` of `workers` until `shutdown`: a run that
    /// ends with an error is replaced by a fresh one with a member of its own; only the
    /// first run takes over the early member.
    pub fn supervise(
        self,
        workers: &Workers,
        tasks: &mut JoinSet<()>,
        name: &str,
        shutdown: CancellationToken,
    ) {
        let Self {
            pool,
            bus,
            settings,
            reaction,
            early,
        } = self;
        let early = Mutex::new(early);
        let stop = shutdown.clone();
        workers.supervise(tasks, name, true, shutdown, move |heartbeat| {
            let consumer = Self {
                pool: pool.clone(),
                bus: bus.clone(),
                settings: settings.clone(),
                reaction: reaction.clone(),
                early: early.lock().unwrap_or_else(|p| p.into_inner()).take(),
            };
            consumer.run(stop.clone(), heartbeat)
        });
    }

    /// Consumes until `shutdown`; the messages in hand are finished and offsets are
    /// committed before returning. Beats `heartbeat` at least once a second while healthy,
    /// and returns an error when the group has not assigned partitions to it within
    /// `join_timeout`, so that its supervisor starts a fresh member.
    pub async fn run(
        mut self,
        shutdown: CancellationToken,
        heartbeat: Heartbeat,
    ) -> Result<(), String> {
        let (consumer, lag) = match self.early.take() {
            Some(early) => (early.consumer, early.lag),
            None => {
                // A broker that is down at start-up delays consumption; it does not stop it.
                let mut backoff = self.settings.initial_backoff;
                let handler = self.reaction.handler();
                loop {
                    match EarlyMember::join(&self.bus, &self.settings, handler).await {
                        Ok(member) => break (member.consumer, member.lag),
                        Err(error) => tracing::warn!(%error, "no member joins yet; retrying"),
                    }
                    heartbeat.beat();
                    tokio::select! {
                        _ = shutdown.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        };
        consumer.context().attach(heartbeat.clone());
        let session = Session {
            consumer: &consumer,
            lag: &lag,
            dlq: OnceLock::new(),
            shutdown: &shutdown,
            heartbeat: &heartbeat,
        };
        let mut group_dropped = false;
        let mut brokers_lost = false;
        let losses_before = crate::broker_losses::seen();
        let mut committed_at = Instant::now();
        loop {
            heartbeat.beat();
            // A loss the producers saw may still wait in this member's queue behind the
            // messages just applied; their offsets must not be committed (broker_losses).
            if !brokers_lost && crate::broker_losses::seen() != losses_before {
                tracing::warn!("every broker connection was lost; a fresh member joins once the broker answers");
                brokers_lost = true;
            }
            if brokers_lost && self.bus.is_reachable(BROKER_BACK_CHECK).await {
                // Every connection was lost and the broker answers again. This member's
                // positions may belong to a log the broker lost: the local broker answers a
                // fetch past a partition's end with nothing, so they would stall it, and
                // committed they would stall the next member too. A fresh member joins
                // instead, and nothing is committed on the way out (the inbox drops the
                // redelivery).
                return Err(
                    "the broker answers again after every connection to it was lost".into(),
                );
            }
            if !brokers_lost && committed_at.elapsed() >= COMMIT_INTERVAL {
                committed_at = Instant::now();
                if let Err(error) = consumer.commit_consumer_state(CommitMode::Async) {
                    tracing::debug!(%error, "offset commit skipped");
                }
            }
            if let Some(waiting) = consumer.context().unassigned_for() {
                if waiting > self.settings.join_timeout {
                    return Err(format!(
                        "no partitions assigned by group {} within {}s",
                        self.settings.group_id,
                        waiting.as_secs()
                    ));
                }
                if waiting > WEDGED_JOIN && !group_dropped {
                    group_dropped = true;
                    self.drop_wedged_group().await;
                }
            } else {
                group_dropped = false;
            }
            let first = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                message = tokio::time::timeout(Duration::from_secs(1), consumer.recv()) => message,
            };
            let first = match first {
                Err(_idle) => continue,
                Ok(Ok(message)) => message,
                Ok(Err(error))
                    if error.rdkafka_error_code()
                        == Some(RDKafkaErrorCode::UnknownTopicOrPartition) =>
                {
                    // The broker lost subscribed topics (its log is gone). This client's
                    // partitions may stay without a leader for good after such a loss, so a
                    // fresh member joins once the topics exist again; the inbox makes the
                    // redelivery that follows harmless.
                    return Err(format!("the broker lost subscribed topics ({error})"));
                }
                Ok(Err(error))
                    if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) =>
                {
                    tracing::warn!(%error, "every broker connection is down; a fresh member joins once the broker answers");
                    brokers_lost = true;
                    continue;
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "consumer error; continuing");
                    continue;
                }
            };
            // What has already arrived joins the first message; nothing is waited for.
            let mut batch = vec![first];
            while batch.len() < BATCH_LIMIT {
                match consumer.recv().now_or_never() {
                    Some(Ok(message)) => batch.push(message),
                    Some(Err(error)) => {
                        tracing::warn!(%error, "consumer error; continuing");
                        brokers_lost |=
                            error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown);
                        break;
                    }
                    None => break,
                }
            }
            for message in &batch {
                lag.received(message.topic(), message.partition(), message.offset());
            }
            if !self.process(&batch, &session).await {
                // Shutdown interrupted these messages: stop before any later message of
                // their partitions could store an offset past them.
                break;
            }
        }
        // After a broker loss this member's positions may belong to the lost log: they
        // stay uncommitted, as on the way out above.
        if brokers_lost || crate::broker_losses::seen() != losses_before {
            return Ok(());
        }
        if let Err(error) = consumer.commit_consumer_state(CommitMode::Sync) {
            tracing::debug!(%error, "final offset commit skipped");
        }
        Ok(())
    }

    /// Asks the broker to drop a group that has not assigned partitions for
    /// [`WEDGED_JOIN`]; its offsets go with it, and the inbox drops what is delivered again.
    async fn drop_wedged_group(&self) {
        let group = &self.settings.group_id;
        match self.bus.delete_group(group).await {
            Ok(()) => {
                tracing::warn!(%group, "no assignment for {}s: the broker dropped the group; joining anew", WEDGED_JOIN.as_secs())
            }
            Err(error) => tracing::info!(%group, %error, "no assignment yet; the group stays"),
        }
    }

    /// Handles `batch` in order, marking each message done once applied or parked; returns
    /// false when shutdown interrupted an outage retry (the rest is redelivered after
    /// restart).
    async fn process(&self, batch: &[BorrowedMessage<'_>], session: &Session<'_>) -> bool {
        let handler = self.reaction.handler();
        let mut run: Vec<Received<'_, '_>> = Vec::with_capacity(batch.len());
        for message in batch {
            match Envelope::from_message(message) {
                Ok(mut envelope) => {
                    // The reaction runs in a span continuing the producer's trace; the events
                    // it writes carry this span's context (`EventContext::caused_by`).
                    let span = trace::process_span(message.topic(), &envelope, handler);
                    if let Some(traceparent) = trace::traceparent_of(&span) {
                        envelope.traceparent = Some(traceparent);
                    }
                    run.push(Received {
                        message,
                        envelope,
                        span,
                    });
                }
                Err(malformed) => {
                    // The messages before it are applied first: order is kept.
                    if !self.apply_run(&run, session).await {
                        return false;
                    }
                    run.clear();
                    let error = malformed.to_string();
                    if !self.dead_letter(message, None, &error, 0, session).await {
                        return false;
                    }
                    session.done(message);
                }
            }
        }
        self.apply_run(&run, session).await
    }

    /// Applies well-formed messages in order: several to a transaction while that commits,
    /// else one at a time with retries.
    async fn apply_run(&self, run: &[Received<'_, '_>], session: &Session<'_>) -> bool {
        let handler = self.reaction.handler();
        let pending: Vec<(&Envelope, &Span)> = run.iter().map(|r| (&r.envelope, &r.span)).collect();
        let mut applied = 0;
        while run.len() - applied > 1 {
            session.heartbeat.beat();
            let reaction = self.reaction.as_ref();
            let next = &pending[applied..];
            match apply_together(&self.pool, reaction, next, TRANSACTION_BUDGET).await {
                Ok(outcomes) => {
                    for (received, outcome) in run[applied..].iter().zip(&outcomes) {
                        count(handler, *outcome);
                        session.done(received.message);
                    }
                    applied += outcomes.len();
                }
                Err(error) => {
                    tracing::debug!(%error, messages = next.len(), "messages not applied together; applying them one at a time");
                    break;
                }
            }
        }
        for received in &run[applied..] {
            let done = self
                .react_until_done(received.message, &received.envelope, session)
                .instrument(received.span.clone())
                .await;
            if !done {
                return false;
            }
            session.done(received.message);
        }
        true
    }

    /// Applies `envelope`, retrying with backoff; dead-letters it after the last attempt.
    async fn react_until_done(
        &self,
        message: &BorrowedMessage<'_>,
        envelope: &Envelope,
        session: &Session<'_>,
    ) -> bool {
        let handler = self.reaction.handler();
        let mut backoff = self.settings.initial_backoff;
        let mut attempts = 0;
        loop {
            session.heartbeat.beat();
            match apply(&self.pool, self.reaction.as_ref(), envelope).await {
                Ok(applied) => {
                    count(handler, applied);
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
                        let error = error.to_string();
                        return self
                            .dead_letter(message, Some(envelope), &error, attempts, session)
                            .await;
                    }
                }
            }
            tokio::select! {
                _ = session.shutdown.cancelled() => return false,
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
        session: &Session<'_>,
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
                _ = session.shutdown.cancelled() => return false,
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
        let dlq = match session.dlq.get() {
            Some(producer) => Ok(producer.clone()),
            None => self
                .bus
                .producer()
                .inspect(|producer| _ = session.dlq.set(producer.clone())),
        };
        let sent = match dlq {
            Ok(producer) => producer
                .send(record, Duration::from_secs(5))
                .await
                .map(|_| ())
                .map_err(|(error, _)| error),
            Err(error) => Err(error),
        };
        if let Err(error) = sent {
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

fn count(handler: &str, applied: Applied) {
    let outcome = match applied {
        Applied::Applied => "applied",
        Applied::Duplicate => "duplicate",
        Applied::Passed => "passed",
    };
    metrics::CONSUMED
        .with_label_values(&[handler, outcome])
        .inc();
}
