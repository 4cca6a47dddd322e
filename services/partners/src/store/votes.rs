//! Topic votes of partners.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A vote as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoteRecord {
    pub id: Uuid,
    pub topic_id: Uuid,
    pub partner_id: Uuid,
    pub vote_weight: i32,
    pub vote_value: i32,
    pub voted_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, topic_id, partner_id, vote_weight, vote_value, voted_at";

/// Casts or changes a partner's vote; returns it.
pub async fn upsert(
    conn: &mut PgConnection,
    topic_id: Uuid,
    partner_id: Uuid,
    weight: i32,
    value: i32,
    now: DateTime<Utc>,
) -> Result<VoteRecord, sqlx::Error> {
    sqlx::query_as(&format!(
        "insert into topic_votes (id, topic_id, partner_id, vote_weight, vote_value, voted_at) values ($1, $2, $3, $4, $5, $6) \
         on conflict (topic_id, partner_id) do update set vote_weight = excluded.vote_weight, vote_value = excluded.vote_value, \
         voted_at = excluded.voted_at returning {COLUMNS}"
    ))
    .bind(shared_domain::new_id())
    .bind(topic_id)
    .bind(partner_id)
    .bind(weight)
    .bind(value)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Removes a partner's vote; false when there was none.
pub async fn delete(
    conn: &mut PgConnection,
    topic_id: Uuid,
    partner_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from topic_votes where topic_id = $1 and partner_id = $2")
        .bind(topic_id)
        .bind(partner_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A page of votes (of one partner and/or topic), by id.
pub async fn list(
    db: impl PgExecutor<'_>,
    partner_id: Option<Uuid>,
    topic_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<VoteRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from topic_votes where ($1::uuid is null or partner_id = $1) and ($2::uuid is null or topic_id = $2) \
         and ($3::uuid is null or id > $3) order by id limit $4"
    ))
    .bind(partner_id)
    .bind(topic_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}
