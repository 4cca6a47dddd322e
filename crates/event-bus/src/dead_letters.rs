//! Parked messages: listing them for operators and replaying one once its cause is fixed.
//! A replay goes through the same inbox transaction as live consumption, so replaying an
//! event that was meanwhile applied changes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::envelope::Envelope;
use crate::inbox::{apply, Applied, Reaction, ReactionError};

/// A parked message as operators see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub id: Uuid,
    pub handler: String,
    pub event_id: Option<Uuid>,
    pub event_type: Option<String>,
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub message_key: Option<String>,
    pub headers: serde_json::Value,
    pub payload: Option<String>,
    pub error: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

/// Why a replay did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("no dead letter {0}")]
    NotFound(Uuid),
    #[error("dead letter {0} was already replayed")]
    AlreadyReplayed(Uuid),
    #[error("dead letter {id} is not a well-formed event: {reason}")]
    Malformed { id: Uuid, reason: String },
    #[error(transparent)]
    Reaction(#[from] ReactionError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const COLUMNS: &str =
    "id, handler, event_id, event_type, topic, partition, \"offset\", message_key, headers, \
    payload, error, attempts, created_at, replayed_at";

/// Dead letters not yet replayed, oldest first, after the `after` id (keyset page).
pub async fn list_pending(
    pool: &PgPool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from dead_letters where replayed_at is null and ($1::uuid is null or id > $1) order by id limit $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Runs the reaction again for dead letter `id` and marks it replayed.
pub async fn replay(
    pool: &PgPool,
    reaction: &dyn Reaction,
    id: Uuid,
) -> Result<Applied, ReplayError> {
    let letter: Option<DeadLetter> =
        sqlx::query_as(&format!("select {COLUMNS} from dead_letters where id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let letter = letter.ok_or(ReplayError::NotFound(id))?;
    if letter.replayed_at.is_some() {
        return Err(ReplayError::AlreadyReplayed(id));
    }
    let envelope = envelope_of(&letter).map_err(|reason| ReplayError::Malformed { id, reason })?;
    let applied = apply(pool, reaction, &envelope).await?;
    sqlx::query("update dead_letters set replayed_at = now() where id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(applied)
}

fn envelope_of(letter: &DeadLetter) -> Result<Envelope, String> {
    let header = |key: &str| {
        letter
            .headers
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let required = |key: &str| header(key).ok_or_else(|| format!("missing header {key}"));
    let time = DateTime::parse_from_rfc3339(&required("ce_time")?)
        .map_err(|e| e.to_string())?
        .with_timezone(&Utc);
    Ok(Envelope {
        id: Uuid::parse_str(&required("ce_id")?).map_err(|e| e.to_string())?,
        event_type: required("ce_type")?,
        source: required("ce_source")?,
        time,
        subject: required("ce_subject")?,
        correlation_id: header("ce_correlationid"),
        causation_id: header("ce_causationid"),
        traceparent: header("traceparent"),
        payload: serde_json::from_str(letter.payload.as_deref().unwrap_or(""))
            .map_err(|e| e.to_string())?,
    })
}
