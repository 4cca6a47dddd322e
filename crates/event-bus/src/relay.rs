//! The outbox relay: publishes committed outbox rows in commit order and marks them.
//!
//! One batch = one transaction: claim unpublished rows (`for update skip locked`), produce
//! them with the idempotent producer and wait for every acknowledgement, mark them
//! published, commit. A crash between produce and commit leaves the rows unpublished, so
//! they are produced again: delivery is at least once and consumers' inboxes make it
//! exactly-once in effect. A session-level advisory lock keeps one active relay per schema,
//! which keeps per-aggregate order across replicas. How the relay learns of new rows without
//! slowing writers' commits down: [`crate::wakeup`].

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rdkafka::producer::{FutureRecord, Producer as _};
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tokio_util::sync::CancellationToken;

use crate::kafka::BusConfig;
use crate::metrics;
use crate::outbox::OutboxRow;
use crate::trace;
use crate::wakeup;
use crate::workers::Heartbeat;

/// Tuning of the relay loop.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// Rows claimed per transaction.
    pub batch_size: i64,
    /// Fallback polling period when no notification arrives.
    pub poll_interval: Duration,
    /// How long published rows are kept for [`crate::outbox::replay_since`].
    pub retention: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch_size: 200,
            poll_interval: Duration::from_millis(500),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Errors of one relay batch; the batch stays unpublished and is retried.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("broker refused or did not acknowledge: {0}")]
    Broker(String),
}

/// How long the relay waits for one acknowledgement (the producer's message timeout is 15 s).
const DELIVERY_WAIT: Duration = Duration::from_secs(20);

/// Publishes one service's outbox.
pub struct Relay {
    pool: PgPool,
    producer: crate::broker_losses::Producer,
    bus: BusConfig,
    schema: String,
    settings: RelaySettings,
}

const CLAIM: &str =
    "select seq, event_id, context, aggregate_id, event_type, source, occurred_at, \
    correlation_id, causation_id, traceparent, payload from outbox where published_at is null \
    order by seq limit $1 for update skip locked";

impl Relay {
    /// A relay for the outbox in `schema` (the connection's `search_path`).
    pub fn new(
        pool: PgPool,
        bus: BusConfig,
        schema: &str,
        settings: RelaySettings,
    ) -> Result<Self, RelayError> {
        let producer = bus
            .producer()
            .map_err(|e| RelayError::Broker(e.to_string()))?;
        Ok(Self {
            pool,
            producer,
            bus,
            schema: schema.to_owned(),
            settings,
        })
    }

    /// Runs until `shutdown`; a batch in flight is finished before returning. Beats
    /// `heartbeat` on every round, standing by included.
    pub async fn run(mut self, shutdown: CancellationToken, heartbeat: Heartbeat) {
        let Some(mut lock) = self.acquire_leadership(&shutdown, &heartbeat).await else {
            return;
        };
        let mut listener = self.listen().await;
        let mut backoff = Duration::from_millis(100);
        let mut last_cleanup = Instant::now() - Duration::from_secs(3600);
        let mut last_lag = last_cleanup;
        // Awake: holding the awake lock, the relay looks for rows itself (crate::wakeup).
        let mut awake = false;
        let mut busy_at = Instant::now();
        loop {
            heartbeat.beat();
            // The advisory lock lives as long as its connection: if that connection is gone,
            // another relay may lead now, so this one stands by until it leads again.
            if sqlx::query("select 1").execute(&mut lock).await.is_err() {
                tracing::warn!(schema = %self.schema, "relay lost its leadership connection; standing by");
                let Some(again) = self.acquire_leadership(&shutdown, &heartbeat).await else {
                    return;
                };
                lock = again;
                awake = false;
            }
            // Should the lock not be taken, writers go on notifying: nothing is missed.
            if !awake {
                awake = wakeup::stay_awake(&mut lock).await.is_ok();
            }
            match self.drain().await {
                Ok(0) => backoff = Duration::from_millis(100),
                Ok(_) => {
                    backoff = Duration::from_millis(100);
                    busy_at = Instant::now();
                }
                Err(error) => {
                    metrics::OUTBOX_PUBLISH_FAILURES
                        .with_label_values(&[&self.schema])
                        .inc();
                    tracing::warn!(%error, schema = %self.schema, "outbox relay batch failed; retrying");
                    if matches!(error, RelayError::Broker(_)) {
                        self.replace_producer();
                    }
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            }
            if last_lag.elapsed() >= Duration::from_secs(1) {
                last_lag = Instant::now();
                self.record_lag().await;
            }
            if last_cleanup.elapsed() > Duration::from_secs(60) {
                last_cleanup = Instant::now();
                self.delete_expired().await;
            }
            if awake {
                match self.look_while_awake(&mut lock, busy_at, &shutdown).await {
                    None => return,
                    Some(true) => continue,
                    Some(false) => {}
                }
                if !matches!(wakeup::try_to_sleep(&mut lock).await, Ok(true)) {
                    // A writer that found the relay awake is still committing: look again.
                    awake = false;
                    continue;
                }
                awake = false;
                // The last look: every writer that found the relay awake has committed.
                if matches!(self.drain().await, Ok(published) if published > 0) {
                    busy_at = Instant::now();
                    continue;
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
                _ = recv_or_pending(&mut listener) => {}
            }
        }
    }

    /// Looks for unpublished rows every [`wakeup::AWAKE_POLL`]: `Some(true)` once there
    /// are some, `Some(false)` when [`wakeup::AWAKE_LINGER`] has passed since `busy_at`
    /// without any, `None` on shutdown.
    async fn look_while_awake(
        &self,
        lock: &mut PgConnection,
        busy_at: Instant,
        shutdown: &CancellationToken,
    ) -> Option<bool> {
        while busy_at.elapsed() < wakeup::AWAKE_LINGER {
            tokio::select! {
                _ = shutdown.cancelled() => return None,
                _ = tokio::time::sleep(wakeup::AWAKE_POLL) => {}
            }
            if wakeup::unpublished(lock).await.unwrap_or(true) {
                return Some(true);
            }
        }
        Some(false)
    }

    /// After a failed delivery the producer is replaced: an idempotent producer keeps
    /// waiting for acknowledgements of its sequence, or fails for good, when the broker no
    /// longer knows it (a broker that lost its log). The rows it did not publish go out
    /// through the new one, in order.
    fn replace_producer(&mut self) {
        match self.bus.producer() {
            Ok(producer) => self.producer = producer,
            Err(error) => tracing::warn!(%error, schema = %self.schema, "no new producer yet"),
        }
    }

    /// A failed delivery to `topics`: they are created if the broker lost them (a broker
    /// that lost its log knows no topic, and producers do not create any), so that the
    /// retry finds them with their configured partitions.
    async fn failed(&self, topics: &[String], failure: String) -> RelayError {
        if let Err(error) = self.bus.ensure_topics(topics).await {
            tracing::warn!(%error, "topics could not be ensured");
        }
        RelayError::Broker(failure)
    }

    /// Publishes batches until no unpublished row is left; returns how many it published.
    /// A batch short of the batch size took every row committed when it was claimed, so
    /// no further claim is made for nothing.
    pub async fn drain(&self) -> Result<usize, RelayError> {
        let mut published = 0;
        loop {
            let batch = self.publish_batch().await?;
            published += batch;
            if (batch as i64) < self.settings.batch_size {
                return Ok(published);
            }
        }
    }

    /// Publishes one batch and marks it; returns how many rows it published.
    pub async fn publish_batch(&self) -> Result<usize, RelayError> {
        let mut tx = self.pool.begin().await?;
        let seqs = self.claim_and_produce(&mut tx).await?;
        if seqs.is_empty() {
            return Ok(0);
        }
        // Marking rows published need not wait for the disk: a mark lost in a database crash
        // only publishes its rows again, which the consumers' inboxes absorb.
        sqlx::query("set local synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        mark_published(&mut tx, &seqs).await?;
        tx.commit().await?;
        metrics::OUTBOX_PUBLISHED
            .with_label_values(&[&self.schema])
            .inc_by(seqs.len() as u64);
        Ok(seqs.len())
    }

    /// Claims the next unpublished rows in `tx` and produces them, waiting for every
    /// acknowledgement; returns their sequence numbers. The rows count as published only
    /// once [`mark_published`] commits in the same transaction.
    pub async fn claim_and_produce(
        &self,
        tx: &mut Transaction<'_, Postgres>,
    ) -> Result<Vec<i64>, RelayError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(CLAIM)
            .bind(self.settings.batch_size)
            .fetch_all(&mut **tx)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let contexts: BTreeSet<&str> = rows.iter().map(|r| r.context.as_str()).collect();
        let topics: Vec<String> = contexts
            .iter()
            .map(|c| self.bus.topics.of_context(c))
            .collect();
        if let Some((code, reason)) = self.producer.client().fatal_error() {
            let failure = format!("the producer failed for good ({code:?}): {reason}");
            return Err(self.failed(&topics, failure).await);
        }
        // Records are queued in sequence order before any acknowledgement is awaited; the
        // idempotent producer keeps that order per partition, retries included.
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in &rows {
            let topic = self.bus.topics.of_context(&row.context);
            // The message carries the publishing span's context, a child of the span that
            // wrote the row; the span ends once the broker has acknowledged.
            let span = trace::publish_span(
                &topic,
                &row.event_type,
                row.event_id,
                row.traceparent.as_deref(),
            );
            let mut envelope = row.envelope();
            if let Some(traceparent) = trace::traceparent_of(&span) {
                envelope.traceparent = Some(traceparent);
            }
            let payload = serde_json::to_vec(&envelope.payload).expect("a JSON value serializes");
            let record = FutureRecord::to(&topic)
                .key(&row.aggregate_id)
                .payload(&payload)
                .headers(envelope.headers());
            let delivery = self
                .producer
                .send_result(record)
                .map_err(|(e, _)| RelayError::Broker(e.to_string()))?;
            deliveries.push((delivery, span));
        }
        for (delivery, _span) in deliveries {
            // A producer that failed for good may never answer; the wait is bounded a little
            // beyond its own message timeout.
            let Ok(delivery) = tokio::time::timeout(DELIVERY_WAIT, delivery).await else {
                return Err(self
                    .failed(&topics, "no acknowledgement in time".into())
                    .await);
            };
            match delivery {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(self.failed(&topics, error.to_string()).await),
                Err(_) => return Err(RelayError::Broker("delivery cancelled".into())),
            }
        }
        Ok(rows.iter().map(|r| r.seq).collect())
    }

    /// Waits until this relay holds its schema's lock; answers the connection holding it
    /// (`None` on shutdown). The lock is tried every poll interval on a pooled connection,
    /// which leaves the pool only once it holds the lock: standing by costs one query per
    /// try, and a leader that died (its session ends with its connection) is followed
    /// within a poll interval.
    async fn acquire_leadership(
        &self,
        shutdown: &CancellationToken,
        heartbeat: &Heartbeat,
    ) -> Option<PgConnection> {
        let leading = metrics::OUTBOX_RELAY_LEADING.with_label_values(&[&self.schema]);
        leading.set(0);
        loop {
            heartbeat.beat();
            let attempt = async {
                let mut conn = self.pool.acquire().await?;
                let locked: bool = sqlx::query_scalar(
                    "select pg_try_advisory_lock(hashtext('outbox_relay.' || current_schema()))",
                )
                .fetch_one(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>(locked.then(|| conn.detach()))
            };
            match attempt.await {
                Ok(Some(conn)) => {
                    tracing::info!(schema = %self.schema, "relay leads: it publishes the outbox");
                    leading.set(1);
                    return Some(conn);
                }
                Ok(None) => {
                    tracing::debug!(schema = %self.schema, "another relay is active; standing by")
                }
                Err(error) => tracing::warn!(%error, "relay could not reach the database"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return None,
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
    }

    async fn listen(&self) -> Option<PgListener> {
        let mut listener = PgListener::connect_with(&self.pool).await.ok()?;
        listener
            .listen(&format!("{}_outbox", self.schema))
            .await
            .ok()?;
        Some(listener)
    }

    async fn record_lag(&self) {
        let lag: Result<(i64, Option<f64>), _> = sqlx::query_as(
            "select count(*), (extract(epoch from now() - min(occurred_at)) * 1000)::float8 \
             from outbox where published_at is null",
        )
        .fetch_one(&self.pool)
        .await;
        if let Ok((rows, age_ms)) = lag {
            metrics::OUTBOX_LAG_ROWS
                .with_label_values(&[&self.schema])
                .set(rows);
            metrics::OUTBOX_LAG_MS
                .with_label_values(&[&self.schema])
                .set(age_ms.unwrap_or(0.0) as i64);
        }
    }

    async fn delete_expired(&self) {
        let retention = chrono::Duration::from_std(self.settings.retention)
            .unwrap_or(chrono::Duration::days(7));
        let deleted = sqlx::query("delete from outbox where published_at < now() - $1::interval")
            .bind(retention)
            .execute(&self.pool)
            .await;
        if let Err(error) = deleted {
            tracing::warn!(%error, "outbox retention cleanup failed");
        }
    }
}

/// Marks claimed rows published, at the moment the broker had acknowledged them; part of
/// the claiming transaction.
pub async fn mark_published(
    tx: &mut Transaction<'_, Postgres>,
    seqs: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query("update outbox set published_at = clock_timestamp() where seq = any($1)")
        .bind(seqs)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Waits for the next notification. Those that arrived while the relay was draining are
/// already served by that drain: they are taken together, so a burst of commits wakes the
/// relay once, not once per commit.
async fn recv_or_pending(listener: &mut Option<PgListener>) {
    match listener {
        Some(l) => {
            if l.recv().await.is_err() {
                std::future::pending::<()>().await
            }
            while l.next_buffered().is_some() {}
        }
        None => std::future::pending::<()>().await,
    }
}
