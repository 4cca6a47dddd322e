//! Overflow voting rows.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::overflow::VoteType;

/// The voting of an event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverflowRecord {
    pub event_id: Uuid,
    pub voting_deadline: DateTime<Utc>,
    pub seats: i32,
    pub is_voting_complete: bool,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A competing speaker.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverflowSpeakerRecord {
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub topic_fit_score: f64,
    pub is_selected: bool,
    pub declined_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
}

/// A cast vote.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoteRecord {
    pub organizer_id: String,
    pub speaker_id: Uuid,
    pub vote: Stored<VoteType>,
    pub reason: Option<String>,
    pub voted_at: DateTime<Utc>,
}

/// Opens voting with its competing speakers; `false` when voting was already opened.
pub async fn insert_overflow(
    conn: &mut PgConnection,
    event_id: Uuid,
    deadline: DateTime<Utc>,
    seats: i32,
    speakers: &[OverflowSpeakerRecord],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let opened = sqlx::query("insert into overflow_management (event_id, voting_deadline, seats, created_at) values ($1, $2, $3, $4) on conflict do nothing")
        .bind(event_id)
        .bind(deadline)
        .bind(seats)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if !opened {
        return Ok(false);
    }
    for s in speakers {
        sqlx::query("insert into overflow_speakers (event_id, speaker_id, session_id, topic_fit_score) values ($1, $2, $3, $4::numeric)")
            .bind(event_id)
            .bind(s.speaker_id)
            .bind(s.session_id)
            .bind(s.topic_fit_score)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// The voting of an event, optionally locked.
pub async fn fetch_overflow(
    conn: &mut PgConnection,
    event_id: Uuid,
    lock: bool,
) -> Result<Option<OverflowRecord>, sqlx::Error> {
    let suffix = if lock { " for update" } else { "" };
    sqlx::query_as(&format!("select event_id, voting_deadline, seats, is_voting_complete, completed_at from overflow_management where event_id = $1{suffix}"))
        .bind(event_id)
        .fetch_optional(conn)
        .await
}

/// The competing speakers.
pub async fn overflow_speakers(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<OverflowSpeakerRecord>, sqlx::Error> {
    sqlx::query_as(
        "select speaker_id, session_id, topic_fit_score::float8 as topic_fit_score, is_selected, declined_at, decline_reason \
         from overflow_speakers where event_id = $1 order by speaker_id",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// Every vote of the event.
pub async fn votes(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<VoteRecord>, sqlx::Error> {
    sqlx::query_as("select organizer_id, speaker_id, vote, reason, voted_at from speaker_selection_votes where event_id = $1 order by voted_at, organizer_id")
        .bind(event_id)
        .fetch_all(db)
        .await
}

/// Casts or replaces an organizer's vote.
pub async fn upsert_vote(
    conn: &mut PgConnection,
    event_id: Uuid,
    vote: &VoteRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into speaker_selection_votes (event_id, organizer_id, speaker_id, vote, reason, voted_at) values ($1, $2, $3, $4, $5, $6) \
         on conflict (event_id, organizer_id, speaker_id) do update set vote = excluded.vote, reason = excluded.reason, voted_at = excluded.voted_at",
    )
    .bind(event_id)
    .bind(&vote.organizer_id)
    .bind(vote.speaker_id)
    .bind(vote.vote)
    .bind(&vote.reason)
    .bind(vote.voted_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the outcome: selected speakers, declined ones with the reason, voting complete.
pub async fn complete(
    conn: &mut PgConnection,
    event_id: Uuid,
    selected: &[Uuid],
    declined: &[Uuid],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update overflow_speakers set is_selected = true where event_id = $1 and speaker_id = any($2)")
        .bind(event_id)
        .bind(selected)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update overflow_speakers set declined_at = $3, decline_reason = $4 where event_id = $1 and speaker_id = any($2)")
        .bind(event_id)
        .bind(declined)
        .bind(now)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update overflow_management set is_voting_complete = true, completed_at = $2 where event_id = $1").bind(event_id).bind(now).execute(conn).await?;
    Ok(())
}

/// Sessions whose speakers were declined in overflow voting (never placed in a slot).
pub async fn declined_sessions(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "select session_id from overflow_speakers where event_id = $1 and declined_at is not null",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// Marks a competing speaker declined (they declined the invitation themselves).
pub async fn decline_speaker(
    conn: &mut PgConnection,
    event_id: Uuid,
    speaker_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update overflow_speakers set declined_at = $3, decline_reason = $4, is_selected = false where event_id = $1 and speaker_id = $2 and declined_at is null")
        .bind(event_id)
        .bind(speaker_id)
        .bind(now)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}
