//! What one service recorded of one correlation id (the `X-Request-Id` of the API call that
//! started a saga, carried as `ce_correlationid`): the events it committed and published
//! (outbox), the events it applied (inbox), and those it parked or replayed (dead letters),
//! in time order. No payload is shown; a dead letter's error is redacted by the caller.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// One step of a saga as one service saw it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// `committed`, `published`, `applied`, `dead_lettered` or `replayed`.
    pub kind: String,
    pub event_type: Option<String>,
    pub event_id: Option<Uuid>,
    /// The aggregate (the Kafka key) of a committed or parked event.
    pub aggregate_id: Option<String>,
    /// The consumer that applied or parked the event.
    pub handler: Option<String>,
    /// Why an event was parked.
    pub detail: Option<String>,
}

/// Every step of `correlation_id` this schema holds, oldest first.
pub async fn of_correlation(
    pool: &PgPool,
    correlation_id: &str,
) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    sqlx::query_as(
        // `step` orders what happened at the same instant: an event applied in a
        // transaction comes before the events that transaction committed.
        "select occurred_at as at, 'committed' as kind, event_type, event_id, aggregate_id, \
                null::text as handler, null::text as detail, 1 as step \
           from outbox where correlation_id = $1 \
         union all \
         select published_at, 'published', event_type, event_id, aggregate_id, null, null, 2 \
           from outbox where correlation_id = $1 and published_at is not null \
         union all \
         select processed_at, 'applied', event_type, event_id, null, handler, null, 0 \
           from inbox where correlation_id = $1 \
         union all \
         select created_at, 'dead_lettered', event_type, event_id, message_key, handler, error, 3 \
           from dead_letters where headers ->> 'ce_correlationid' = $1 \
         union all \
         select replayed_at, 'replayed', event_type, event_id, message_key, handler, null, 4 \
           from dead_letters where headers ->> 'ce_correlationid' = $1 and replayed_at is not null \
         order by at, step",
    )
    .bind(correlation_id)
    .fetch_all(pool)
    .await
}
