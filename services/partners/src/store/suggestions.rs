//! Topic suggestions of partners.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::suggestion::{SuggestedCategory, SuggestionFields, SuggestionStatus};

/// A suggestion as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuggestionRecord {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub suggested_topic: String,
    pub description: Option<String>,
    pub business_justification: Option<String>,
    pub category: Stored<SuggestedCategory>,
    pub suggested_at: DateTime<Utc>,
    pub status: Stored<SuggestionStatus>,
    pub rejection_reason: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub topic_id: Option<Uuid>,
    pub implemented_at: Option<DateTime<Utc>>,
    pub version: i64,
}

const COLUMNS: &str = "id, partner_id, suggested_topic, description, business_justification, category, suggested_at, status, \
    rejection_reason, reviewed_at, reviewed_by, topic_id, implemented_at, version";

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    partner_id: Uuid,
    f: &Valid<SuggestionFields>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into topic_suggestions (id, partner_id, suggested_topic, description, business_justification, category, suggested_at, status) \
         values ($1, $2, $3, $4, $5, $6, $7, 'submitted')",
    )
    .bind(id)
    .bind(partner_id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.business_justification)
    .bind(Stored(f.category))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn fetch(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<SuggestionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from topic_suggestions where id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn lock(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<SuggestionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from topic_suggestions where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// An organizer's decision: the new status, its reason, the reviewer and the topic an
/// accepted suggestion becomes.
pub struct Decision<'a> {
    pub status: SuggestionStatus,
    pub reason: Option<&'a str>,
    pub reviewer: &'a str,
    pub topic_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

pub async fn decide(
    conn: &mut PgConnection,
    id: Uuid,
    d: Decision<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update topic_suggestions set status = $2, rejection_reason = $3, reviewed_by = $4, reviewed_at = $5, \
         topic_id = coalesce($6, topic_id), version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(Stored(d.status))
    .bind(d.reason)
    .bind(d.reviewer)
    .bind(d.at)
    .bind(d.topic_id)
    .fetch_one(conn)
    .await
}

/// An accepted suggestion whose topic an event now uses becomes `implemented`.
pub async fn implement(
    conn: &mut PgConnection,
    topic_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update topic_suggestions set status = 'implemented', implemented_at = $2, version = version + 1 \
         where topic_id = $1 and status = 'accepted'",
    )
    .bind(topic_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of suggestions (of one partner and/or status), newest first.
pub async fn list(
    db: impl PgExecutor<'_>,
    partner_id: Option<Uuid>,
    status: Option<SuggestionStatus>,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<SuggestionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from topic_suggestions where ($1::uuid is null or partner_id = $1) and ($2::text is null or status = $2) \
         and ($3::timestamptz is null or (suggested_at, id) < ($3, $4)) order by suggested_at desc, id desc limit $5"
    ))
    .bind(partner_id)
    .bind(status.map(Stored))
    .bind(after.map(|k| k.0))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .fetch_all(db)
    .await
}
