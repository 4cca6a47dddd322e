//! The transactional outbox: events are rows written in the same transaction as the state
//! change they describe, so nothing is published that was not committed and nothing
//! committed is lost. Published rows are kept for a retention period so history can be
//! republished ([`replay_since`]) after a broker lost its log.
//!
//! The table shape follows the Debezium outbox convention (`aggregate_type`,
//! `aggregate_id`, `event_type`, `payload`).

use chrono::{DateTime, Utc};
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::envelope::{Envelope, EventContext};

/// Errors writing an event into the outbox.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("event payload could not be serialized: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Writes `event` into the outbox inside the caller's transaction and returns its event id.
/// The relay publishes it only once that transaction commits.
pub async fn enqueue<E: IntegrationEvent>(
    conn: &mut PgConnection,
    event: &E,
    context: &EventContext,
) -> Result<Uuid, OutboxError> {
    let envelope = Envelope::wrap(event, context)?;
    sqlx::query(
        "insert into outbox (event_id, context, aggregate_type, aggregate_id, event_type, source, \
         occurred_at, correlation_id, causation_id, traceparent, payload) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(envelope.id)
    .bind(E::CONTEXT)
    .bind(E::AGGREGATE_TYPE)
    .bind(&envelope.subject)
    .bind(&envelope.event_type)
    .bind(&envelope.source)
    .bind(envelope.time)
    .bind(&envelope.correlation_id)
    .bind(&envelope.causation_id)
    .bind(&envelope.traceparent)
    .bind(&envelope.payload)
    .execute(conn)
    .await?;
    Ok(envelope.id)
}

/// An outbox row as the relay reads it.
#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub seq: i64,
    pub event_id: Uuid,
    pub context: String,
    pub aggregate_id: String,
    pub event_type: String,
    pub source: String,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub traceparent: Option<String>,
    pub payload: serde_json::Value,
}

impl OutboxRow {
    /// The envelope this row is published as.
    pub fn envelope(&self) -> Envelope {
        Envelope {
            id: self.event_id,
            event_type: self.event_type.clone(),
            source: self.source.clone(),
            time: self.occurred_at,
            subject: self.aggregate_id.clone(),
            correlation_id: self.correlation_id.clone(),
            causation_id: self.causation_id.clone(),
            traceparent: self.traceparent.clone(),
            payload: self.payload.clone(),
        }
    }
}

/// Marks every retained row that occurred at or after `since` as unpublished, so the relay
/// publishes it again in its original order. Consumers' inboxes make the duplicates
/// harmless. Returns how many rows will be republished.
pub async fn replay_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let replayed = sqlx::query("update outbox set published_at = null where occurred_at >= $1 and published_at is not null")
        .bind(since)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query("select pg_notify(current_schema() || '_outbox', 'replay')")
        .execute(conn)
        .await?;
    Ok(replayed)
}
