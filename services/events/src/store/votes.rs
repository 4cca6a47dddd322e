//! Partner topic votes (a read model of the partners context's announcements) and the
//! partner influence score derived from them.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::topic::{PartnershipTier, TopicVote};

/// Records a partner's vote on a topic (a later cast replaces an earlier one); false when
/// the topic is unknown here.
pub async fn cast(
    conn: &mut PgConnection,
    topic_id: Uuid,
    partner_id: Uuid,
    vote: TopicVote,
    cast_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let known: Option<Uuid> = sqlx::query_scalar("select id from topics where id = $1")
        .bind(topic_id)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_none() {
        return Ok(false);
    }
    sqlx::query(
        "insert into partner_votes (topic_id, partner_id, value, tier, tier_as_of, cast_at) values ($1, $2, $3, $4, $5, $5) \
         on conflict (topic_id, partner_id) do update set value = excluded.value, cast_at = excluded.cast_at, \
         tier = case when partner_votes.tier_as_of <= excluded.tier_as_of then excluded.tier else partner_votes.tier end, \
         tier_as_of = greatest(partner_votes.tier_as_of, excluded.tier_as_of) \
         where partner_votes.cast_at <= excluded.cast_at",
    )
    .bind(topic_id)
    .bind(partner_id)
    .bind(i16::from(vote.value))
    .bind(Stored(vote.tier))
    .bind(cast_at)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Removes a partner's vote cast before `at`.
pub async fn withdraw(
    conn: &mut PgConnection,
    topic_id: Uuid,
    partner_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "delete from partner_votes where topic_id = $1 and partner_id = $2 and cast_at <= $3",
    )
    .bind(topic_id)
    .bind(partner_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Re-weights a partner's votes with the tier it has as of `as_of`; answers the topics
/// whose votes changed.
pub async fn retier(
    conn: &mut PgConnection,
    partner_id: Uuid,
    tier: PartnershipTier,
    as_of: DateTime<Utc>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "update partner_votes set tier = $2, tier_as_of = $3 where partner_id = $1 and tier_as_of < $3 and tier <> $2 \
         returning topic_id",
    )
    .bind(partner_id)
    .bind(Stored(tier))
    .bind(as_of)
    .fetch_all(conn)
    .await
}

/// The votes on a topic.
pub async fn of_topic(
    conn: &mut PgConnection,
    topic_id: Uuid,
) -> Result<Vec<TopicVote>, sqlx::Error> {
    let rows: Vec<(Stored<PartnershipTier>, i16)> =
        sqlx::query_as("select tier, value from partner_votes where topic_id = $1")
            .bind(topic_id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(tier, value)| TopicVote {
            tier: *tier,
            value: u8::try_from(value).unwrap_or(1),
        })
        .collect())
}
