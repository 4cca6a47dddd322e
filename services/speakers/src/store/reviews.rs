//! Submission revisions and quality reviews.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::review::QualityReviewStatus;

/// One submitted revision.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRecord {
    pub revision: i32,
    pub abstract_text: String,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
    pub materials: Json<Vec<String>>,
    pub submitted_at: DateTime<Utc>,
}

/// A review as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRecord {
    pub status: Stored<QualityReviewStatus>,
    pub reviewer_id: Option<String>,
    pub abstract_review: Option<Json<serde_json::Value>>,
    pub bio_review: Option<Json<serde_json::Value>>,
    pub photo_review: Option<Json<serde_json::Value>>,
    pub feedback: Option<String>,
    pub revision_deadline: Option<DateTime<Utc>>,
    pub reviewed_revision: Option<i32>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// Content of a new revision.
pub struct NewRevision<'a> {
    pub abstract_text: &'a str,
    pub bio: Option<&'a str>,
    pub photo_url: Option<&'a str>,
    pub materials: &'a [String],
}

/// Stores the next revision of an assignment's content; returns its number.
pub async fn insert_revision(
    conn: &mut PgConnection,
    assignment_id: Uuid,
    r: &NewRevision<'_>,
    now: DateTime<Utc>,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "insert into submission_revisions (assignment_id, revision, abstract, bio, photo_url, materials, submitted_at) \
         select $1, coalesce(max(revision), 0) + 1, $2, $3, $4, $5, $6 from submission_revisions where assignment_id = $1 returning revision",
    )
    .bind(assignment_id)
    .bind(r.abstract_text)
    .bind(r.bio)
    .bind(r.photo_url)
    .bind(Json(r.materials))
    .bind(now)
    .fetch_one(conn)
    .await
}

/// One revision (`None` = the latest).
pub async fn revision(
    db: impl PgExecutor<'_>,
    assignment_id: Uuid,
    number: Option<i32>,
) -> Result<Option<RevisionRecord>, sqlx::Error> {
    sqlx::query_as(
        "select revision, abstract as abstract_text, bio, photo_url, materials, submitted_at from submission_revisions \
         where assignment_id = $1 and ($2::int is null or revision = $2) order by revision desc limit 1",
    )
    .bind(assignment_id)
    .bind(number)
    .fetch_optional(db)
    .await
}

/// The review of an assignment, locked.
pub async fn lock_review(
    conn: &mut PgConnection,
    assignment_id: Uuid,
) -> Result<Option<ReviewRecord>, sqlx::Error> {
    sqlx::query_as(
        "select status, reviewer_id, abstract_review, bio_review, photo_review, feedback, revision_deadline, reviewed_revision, reviewed_at \
         from quality_reviews where assignment_id = $1 for update",
    )
    .bind(assignment_id)
    .fetch_optional(conn)
    .await
}

/// Sets the review status after a submission (creating the review on the first one).
pub async fn set_submission_status(
    conn: &mut PgConnection,
    assignment_id: Uuid,
    status: QualityReviewStatus,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into quality_reviews (assignment_id, status, updated_at) values ($1, $2, $3) \
         on conflict (assignment_id) do update set status = excluded.status, updated_at = excluded.updated_at",
    )
    .bind(assignment_id)
    .bind(Stored(status))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A moderator's decision.
pub struct Decision<'a> {
    pub status: QualityReviewStatus,
    pub reviewer_id: &'a str,
    pub abstract_review: &'a serde_json::Value,
    pub bio_review: Option<&'a serde_json::Value>,
    pub photo_review: Option<&'a serde_json::Value>,
    pub feedback: Option<&'a str>,
    pub revision_deadline: Option<DateTime<Utc>>,
    pub reviewed_revision: i32,
}

/// Records a moderator's decision on the latest revision.
pub async fn decide(
    conn: &mut PgConnection,
    assignment_id: Uuid,
    d: &Decision<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update quality_reviews set status = $2, reviewer_id = $3, abstract_review = $4, bio_review = $5, photo_review = $6, feedback = $7, \
         revision_deadline = $8, reviewed_revision = $9, reviewed_at = $10, updated_at = $10 where assignment_id = $1",
    )
    .bind(assignment_id)
    .bind(Stored(d.status))
    .bind(d.reviewer_id)
    .bind(Json(d.abstract_review))
    .bind(d.bio_review.map(Json))
    .bind(d.photo_review.map(Json))
    .bind(d.feedback)
    .bind(d.revision_deadline)
    .bind(d.reviewed_revision)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
