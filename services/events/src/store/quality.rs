//! The event-level quality review and the review status of each session.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::quality::QualityReviewStatus;
use crate::domain::session::SessionType;

/// An event's quality review as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRecord {
    pub event_id: Uuid,
    pub moderator_id: String,
    pub review_deadline: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A live session of the event with its review row, if it has one yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionReviewRow {
    pub session_id: Uuid,
    pub title: String,
    pub session_type: Stored<SessionType>,
    /// `None` until the session's first review row (it then counts as pending).
    pub status: Option<Stored<QualityReviewStatus>>,
    pub reviewer_id: Option<String>,
    pub feedback: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "event_id, moderator_id, review_deadline, completed_at, created_at, updated_at, version";

/// An event's review, locked until the transaction ends (serializes its session review
/// changes, so the roll-up and `completed_at` are decided on the latest statuses).
pub async fn lock_review(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Option<ReviewRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from event_quality_reviews where event_id = $1 for update"
    ))
    .bind(event_id)
    .fetch_optional(conn)
    .await
}

/// Sets up an event's review.
pub async fn insert_review(
    conn: &mut PgConnection,
    event_id: Uuid,
    moderator_id: &str,
    review_deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into event_quality_reviews (event_id, moderator_id, review_deadline, created_at, updated_at) values ($1, $2, $3, $4, $4)",
    )
    .bind(event_id)
    .bind(moderator_id)
    .bind(review_deadline)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes the moderator and the deadline.
pub async fn update_review(
    conn: &mut PgConnection,
    event_id: Uuid,
    moderator_id: &str,
    review_deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update event_quality_reviews set moderator_id = $2, review_deadline = $3, updated_at = $4, version = version + 1 where event_id = $1",
    )
    .bind(event_id)
    .bind(moderator_id)
    .bind(review_deadline)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records when the review was completed (`None` reopens it); answers the stored value.
pub async fn update_completed_at(
    conn: &mut PgConnection,
    event_id: Uuid,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar("update event_quality_reviews set completed_at = $2, updated_at = $3, version = version + 1 where event_id = $1 returning completed_at")
        .bind(event_id)
        .bind(completed_at)
        .bind(now)
        .fetch_one(conn)
        .await
}

/// The event's live (non-cancelled) sessions by start time, each with its review row.
pub async fn live_session_reviews(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<SessionReviewRow>, sqlx::Error> {
    sqlx::query_as(
        "select s.id as session_id, s.title, s.session_type, r.status, r.reviewer_id, r.feedback, r.reviewed_at \
         from sessions s left join session_quality_reviews r on r.event_id = s.event_id and r.session_id = s.id \
         where s.event_id = $1 and s.cancelled_at is null order by s.start_time, s.id",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// Puts `session_ids` in review as `pending`; sessions already in review keep their status.
pub async fn insert_pending(
    conn: &mut PgConnection,
    event_id: Uuid,
    session_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into session_quality_reviews (event_id, session_id, status, updated_at) \
         select $1, session_id, $4, $3 from unnest($2::uuid[]) as session_id on conflict do nothing",
    )
    .bind(event_id)
    .bind(session_ids)
    .bind(now)
    .bind(Stored(QualityReviewStatus::Pending))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a review step of one session.
pub async fn upsert_session_review(
    conn: &mut PgConnection,
    event_id: Uuid,
    session_id: Uuid,
    status: QualityReviewStatus,
    reviewer_id: &str,
    feedback: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into session_quality_reviews (event_id, session_id, status, reviewer_id, feedback, reviewed_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6) on conflict (event_id, session_id) do update \
         set status = excluded.status, reviewer_id = excluded.reviewer_id, feedback = excluded.feedback, \
         reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
    )
    .bind(event_id)
    .bind(session_id)
    .bind(Stored(status))
    .bind(reviewer_id)
    .bind(feedback)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
