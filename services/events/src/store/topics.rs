//! Topic rows, their usage history, full-text search over them and the topics assigned to
//! events.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::status::EventStatus;
use crate::domain::topic::{TopicCategory, TopicFields};

/// A topic as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopicRecord {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: Stored<TopicCategory>,
    pub created_date: DateTime<Utc>,
    pub last_used_date: Option<DateTime<Utc>>,
    pub usage_count: i32,
    pub calculated_wait_period: i32,
    pub partner_influence_score: Option<f64>,
    pub is_active: bool,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl TopicRecord {
    pub fn category(&self) -> TopicCategory {
        *self.category
    }

    /// The editable fields as stored.
    pub fn fields(&self) -> TopicFields {
        TopicFields {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category(),
            is_active: self.is_active,
        }
    }
}

/// A topic matching a search, with its full-text rank.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankedTopic {
    #[sqlx(flatten)]
    pub topic: TopicRecord,
    pub rank: f32,
}

/// One use of a topic at an event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UsageRecord {
    pub topic_id: Uuid,
    pub event_id: Uuid,
    pub used_date: DateTime<Utc>,
    pub attendee_count: i32,
    pub feedback_score: Option<f64>,
}

/// An existing topic whose words overlap a new one's.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SimilarTopicRecord {
    pub id: Uuid,
    pub title: String,
    pub rank: f32,
}

/// A topic assigned to an event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventTopicRecord {
    pub topic_id: Uuid,
    pub title: String,
    pub category: Stored<TopicCategory>,
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: String,
}

/// Which topics a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct TopicFilter {
    pub category: Option<TopicCategory>,
    pub active: Option<bool>,
    /// Only topics whose staleness (as of now) is at least / at most these.
    pub min_staleness: Option<f64>,
    pub max_staleness: Option<f64>,
    /// Only topics whose partner influence score is at least this.
    pub min_partner_influence: Option<f64>,
}

/// A topic's staleness as of now from its stored last use and wait period, as
/// `domain::topic::staleness` computes it (uses at events still being planned count).
const STALENESS: &str = "(case when last_used_date is null or calculated_wait_period = 0 then 100::float8 \
    else round(least(100, greatest(0, 100 * extract(epoch from (now() - last_used_date)) / 86400 / (365.25 / 12) \
    / calculated_wait_period))::numeric, 2)::float8 end)";

/// A topic with its partner influence score for ordering (-1 without votes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InfluentialTopic {
    #[sqlx(flatten)]
    pub topic: TopicRecord,
    pub influence: f64,
}

/// A topic with its staleness as of now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaleTopic {
    #[sqlx(flatten)]
    pub topic: TopicRecord,
    pub staleness: f64,
}

const COLUMNS: &str = "id, title, description, category, created_date, last_used_date, usage_count, calculated_wait_period, \
    partner_influence_score::float8 as partner_influence_score, is_active, updated_at, version";

/// Rank of a topic for the tsquery `query`: title words weigh more than description words.
const RANK: &str =
    "ts_rank(setweight(title_vector, 'A') || setweight(description_vector, 'B'), query)";

/// Inserts a validated, never-used topic.
pub async fn insert_topic(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<TopicFields>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into topics (id, title, description, category, is_active, created_date, updated_at) values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(Stored(f.category))
    .bind(f.is_active)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes new fields and bumps the version.
pub async fn update_topic(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<TopicFields>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update topics set title = $2, description = $3, category = $4, is_active = $5, updated_at = $6, version = version + 1 \
         where id = $1 returning version",
    )
    .bind(id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(Stored(f.category))
    .bind(f.is_active)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Reads one topic.
pub async fn fetch_topic(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<TopicRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from topics where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reads one topic and locks it until the transaction ends (serializes changes of its
/// usage history, so its count and wait period follow every change).
pub async fn lock_topic(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<TopicRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from topics where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Topics by title, after the keyset `after`.
pub async fn list_topics(
    db: impl PgExecutor<'_>,
    filter: TopicFilter,
    after: Option<&(String, Uuid)>,
    limit: i64,
) -> Result<Vec<TopicRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from topics where ($1::text is null or category = $1) and ($2::boolean is null or is_active = $2) \
         and ($3::text is null or (title, id) > ($3, $4)) \
         and ($6::float8 is null or {STALENESS} >= $6) and ($7::float8 is null or {STALENESS} <= $7) \
         and ($8::float8 is null or partner_influence_score >= $8) order by title, id limit $5"
    ))
    .bind(filter.category.map(Stored))
    .bind(filter.active)
    .bind(after.map(|k| k.0.clone()))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .bind(filter.min_staleness)
    .bind(filter.max_staleness)
    .bind(filter.min_partner_influence)
    .fetch_all(db)
    .await
}

/// Topics by partner influence, highest first (topics without votes last), then by id,
/// after the keyset `after` (influence, id).
pub async fn list_topics_by_influence(
    db: impl PgExecutor<'_>,
    filter: TopicFilter,
    after: Option<&(f64, Uuid)>,
    limit: i64,
) -> Result<Vec<InfluentialTopic>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select * from (select {COLUMNS}, coalesce(partner_influence_score, -1)::float8 as influence from topics \
         where ($1::text is null or category = $1) and ($2::boolean is null or is_active = $2) \
         and ($6::float8 is null or {STALENESS} >= $6) and ($7::float8 is null or {STALENESS} <= $7) \
         and ($8::float8 is null or partner_influence_score >= $8)) t \
         where ($3::float8 is null or influence < $3 or (influence = $3 and id > $4)) order by influence desc, id limit $5"
    ))
    .bind(filter.category.map(Stored))
    .bind(filter.active)
    .bind(after.map(|k| k.0))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .bind(filter.min_staleness)
    .bind(filter.max_staleness)
    .bind(filter.min_partner_influence)
    .fetch_all(db)
    .await
}

/// Topics by staleness, most rested first, then by id, after the keyset `after`
/// (staleness, id).
pub async fn list_topics_by_staleness(
    db: impl PgExecutor<'_>,
    filter: TopicFilter,
    after: Option<&(f64, Uuid)>,
    limit: i64,
) -> Result<Vec<StaleTopic>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select * from (select {COLUMNS}, {STALENESS} as staleness from topics \
         where ($1::text is null or category = $1) and ($2::boolean is null or is_active = $2)) t \
         where ($6::float8 is null or staleness >= $6) and ($7::float8 is null or staleness <= $7) \
         and ($8::float8 is null or partner_influence_score >= $8) \
         and ($3::float8 is null or staleness < $3 or (staleness = $3 and id > $4)) order by staleness desc, id limit $5"
    ))
    .bind(filter.category.map(Stored))
    .bind(filter.active)
    .bind(after.map(|k| k.0))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .bind(filter.min_staleness)
    .bind(filter.max_staleness)
    .bind(filter.min_partner_influence)
    .fetch_all(db)
    .await
}

/// Topics matching the web-search style query `q` (all words, `"phrases"`, `or`, `-word`),
/// best rank first, then by id, after the keyset `after` (rank, id).
pub async fn search_topics(
    db: impl PgExecutor<'_>,
    q: &str,
    filter: TopicFilter,
    after: Option<&(f32, Uuid)>,
    limit: i64,
) -> Result<Vec<RankedTopic>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select * from (select {COLUMNS}, {RANK} as rank from topics, websearch_to_tsquery('simple', $1) query \
         where (title_vector @@ query or description_vector @@ query) \
         and ($2::text is null or category = $2) and ($3::boolean is null or is_active = $3) \
         and ($7::float8 is null or {STALENESS} >= $7) and ($8::float8 is null or {STALENESS} <= $8) \
         and ($9::float8 is null or partner_influence_score >= $9)) ranked \
         where $4::real is null or rank < $4 or (rank = $4 and id > $5) order by rank desc, id limit $6"
    ))
    .bind(q)
    .bind(filter.category.map(Stored))
    .bind(filter.active)
    .bind(after.map(|k| k.0))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .bind(filter.min_staleness)
    .bind(filter.max_staleness)
    .bind(filter.min_partner_influence)
    .fetch_all(db)
    .await
}

/// The topics other than `own_id` sharing words with `text`, best first, ranked at least
/// `min_rank`. Any shared word counts (the words are OR-combined); English and German stop
/// words are left out, since the 'simple' configuration keeps them. Each word is quoted, so
/// text with query operators in it (URLs, parentheses) cannot break the query.
pub async fn similar_topics(
    db: impl PgExecutor<'_>,
    text: &str,
    own_id: Uuid,
    min_rank: f32,
    limit: i64,
) -> Result<Vec<SimilarTopicRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select id, title, rank from (select id, title, {RANK} as rank from topics, \
         to_tsquery('simple', nullif(array_to_string(array(select '''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || '''' \
         from unnest(tsvector_to_array(to_tsvector('simple', $1))) lexeme \
         where length(to_tsvector('english', lexeme)) > 0 and length(to_tsvector('german', lexeme)) > 0), ' | '), '')) query \
         where id <> $2 and (title_vector @@ query or description_vector @@ query)) ranked \
         where rank >= $3 order by rank desc, id limit $4"
    ))
    .bind(text)
    .bind(own_id)
    .bind(min_rank)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The uses of the given topics, latest first.
pub async fn usage_of(
    db: impl PgExecutor<'_>,
    topic_ids: &[Uuid],
) -> Result<Vec<UsageRecord>, sqlx::Error> {
    sqlx::query_as(
        "select topic_id, event_id, used_date, attendee_count, feedback_score::float8 as feedback_score from topic_usage_history \
         where topic_id = any($1) order by topic_id, used_date desc, event_id",
    )
    .bind(topic_ids)
    .fetch_all(db)
    .await
}

/// The uses of the given topics at events whose agenda is public (what non-organizers see).
pub async fn public_usage_of(
    db: impl PgExecutor<'_>,
    topic_ids: &[Uuid],
) -> Result<Vec<UsageRecord>, sqlx::Error> {
    sqlx::query_as(
        "select u.topic_id, u.event_id, u.used_date, u.attendee_count, u.feedback_score::float8 as feedback_score \
         from topic_usage_history u join events e on e.id = u.event_id \
         where u.topic_id = any($1) and e.status = any($2) \
         order by u.topic_id, u.used_date desc, u.event_id",
    )
    .bind(topic_ids)
    .bind(EventStatus::PUBLIC.map(EventStatus::as_str))
    .fetch_all(db)
    .await
}

/// Assigns a topic to an event and records the use; `false` when it was already assigned.
pub async fn insert_event_topic(
    conn: &mut PgConnection,
    event_id: Uuid,
    topic_id: Uuid,
    used: (DateTime<Utc>, i32),
    assigned_by: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let assigned = sqlx::query(
        "insert into event_topics (event_id, topic_id, assigned_at, assigned_by) values ($1, $2, $3, $4) on conflict do nothing",
    )
    .bind(event_id)
    .bind(topic_id)
    .bind(now)
    .bind(assigned_by)
    .execute(&mut *conn)
    .await?;
    if assigned.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "insert into topic_usage_history (id, topic_id, event_id, used_date, attendee_count, created_at) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shared_domain::new_id())
    .bind(topic_id)
    .bind(event_id)
    .bind(used.0)
    .bind(used.1)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Records the feedback on a topic's use at an event; `false` when it was not used there.
pub async fn update_feedback(
    conn: &mut PgConnection,
    topic_id: Uuid,
    event_id: Uuid,
    score: f64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query("update topic_usage_history set feedback_score = round($3::numeric, 2) where topic_id = $1 and event_id = $2")
        .bind(topic_id)
        .bind(event_id)
        .bind(score)
        .execute(conn)
        .await?;
    Ok(updated.rows_affected() == 1)
}

/// Writes the usage summary derived from the history and bumps the version.
pub async fn update_usage(
    conn: &mut PgConnection,
    id: Uuid,
    usage_count: i32,
    last_used_date: Option<DateTime<Utc>>,
    wait_months: i32,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update topics set usage_count = $2, last_used_date = $3, calculated_wait_period = $4, updated_at = $5, \
         version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(usage_count)
    .bind(last_used_date)
    .bind(wait_months)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Writes the partner influence score (0–100, `None` without votes) derived from partner
/// votes; returns the new version, `None` when there is no such topic.
pub async fn update_partner_influence(
    conn: &mut PgConnection,
    id: Uuid,
    score: Option<f64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "update topics set partner_influence_score = round($2::numeric, 2), updated_at = $3, version = version + 1 \
         where id = $1 returning version",
    )
    .bind(id)
    .bind(score)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// The topics assigned to an event, in assignment order.
pub async fn list_event_topics(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<EventTopicRecord>, sqlx::Error> {
    sqlx::query_as(
        "select et.topic_id, t.title, t.category, et.assigned_at, et.assigned_by from event_topics et \
         join topics t on t.id = et.topic_id where et.event_id = $1 order by et.assigned_at, et.topic_id",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}
