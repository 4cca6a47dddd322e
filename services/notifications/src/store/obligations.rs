//! Material obligations of speakers and the scheduler's progress on each.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::domain::escalation::RuleType;

/// Who owes what by when.
pub struct Obligation {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub rule_type: RuleType,
    /// Its own deadline (a revision's); none: the rule's material deadline.
    pub deadline: Option<DateTime<Utc>>,
}

/// Opens (or reopens, with fresh progress) the obligation of an assignment.
pub async fn open_obligation(
    conn: &mut PgConnection,
    obligation: &Obligation,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into material_obligations (assignment_id, speaker_id, session_id, event_id,
             rule_type, deadline, tiers_sent, escalated_at, submitted_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, 0, null, null, $7)
         on conflict (assignment_id) do update set rule_type = excluded.rule_type,
             deadline = excluded.deadline, tiers_sent = 0, escalated_at = null,
             submitted_at = null, updated_at = excluded.updated_at",
    )
    .bind(obligation.assignment_id)
    .bind(obligation.speaker_id)
    .bind(obligation.session_id)
    .bind(obligation.event_id)
    .bind(Stored(obligation.rule_type))
    .bind(obligation.deadline)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks an obligation met; the reminders stop.
pub async fn record_submission(
    conn: &mut PgConnection,
    assignment_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update material_obligations set submitted_at = $2, updated_at = $2
         where assignment_id = $1 and submitted_at is null",
    )
    .bind(assignment_id)
    .bind(at)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn close_obligation(conn: &mut PgConnection, assignment_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from material_obligations where assignment_id = $1")
        .bind(assignment_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Ends the obligations of a speaker who no longer speaks in a session.
pub async fn close_for_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("delete from material_obligations where session_id = $1 and speaker_id = $2")
        .bind(session_id)
        .bind(speaker_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// An open obligation under an active rule, with the rule's timing.
#[derive(Debug, Clone, FromRow)]
pub struct Watched {
    pub assignment_id: Uuid,
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub deadline: DateTime<Utc>,
    pub tiers_sent: i32,
    pub tier_1_hours_before: i32,
    pub tier_2_hours_before: i32,
    pub tier_3_hours_before: i32,
    pub escalation_threshold: Option<i32>,
    pub backup_organizer_ids: Vec<Uuid>,
}

/// Open, not yet escalated obligations with a deadline, locked for this transaction
/// (another replica's scheduler skips them).
pub async fn lock_watched(conn: &mut PgConnection) -> sqlx::Result<Vec<Watched>> {
    sqlx::query_as(
        "select o.assignment_id, o.speaker_id, o.session_id, o.event_id,
             coalesce(o.deadline, r.material_deadline) as deadline, o.tiers_sent,
             r.tier_1_hours_before, r.tier_2_hours_before, r.tier_3_hours_before,
             r.escalation_threshold, r.backup_organizer_ids
         from material_obligations o
         join escalation_rules r on r.event_id = o.event_id and r.rule_type = o.rule_type and r.is_active
         where o.submitted_at is null and o.escalated_at is null
           and coalesce(o.deadline, r.material_deadline) is not null
         order by o.assignment_id
         for update of o skip locked",
    )
    .fetch_all(conn)
    .await
}

pub async fn record_tier(
    conn: &mut PgConnection,
    assignment_id: Uuid,
    tier: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update material_obligations set tiers_sent = $2, updated_at = $3 where assignment_id = $1",
    )
    .bind(assignment_id)
    .bind(tier)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn record_escalation(
    conn: &mut PgConnection,
    assignment_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("update material_obligations set escalated_at = $2, updated_at = $2 where assignment_id = $1")
        .bind(assignment_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Restarts the reminders of open obligations that follow a rule's deadline, after the
/// deadline changed or a new rule took over: the tiers count from the new deadline.
pub async fn restart_rule_progress(
    conn: &mut PgConnection,
    event_id: Uuid,
    rule_type: RuleType,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update material_obligations set tiers_sent = 0, escalated_at = null, updated_at = $3
         where event_id = $1 and rule_type = $2 and deadline is null and submitted_at is null",
    )
    .bind(event_id)
    .bind(Stored(rule_type))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}
