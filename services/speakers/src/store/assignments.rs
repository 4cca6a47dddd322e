//! Session-speaker assignments and their invitations.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::workflow::SpeakerWorkflowState;

/// An assignment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRecord {
    pub id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub speaker_id: Uuid,
    pub role: String,
    pub presentation_title: Option<String>,
    pub workflow_state: Stored<SpeakerWorkflowState>,
    pub is_confirmed: bool,
    pub invitation_id: Option<Uuid>,
    pub invited_at: Option<DateTime<Utc>>,
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub invitation_withdrawn_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

const COLUMNS: &str = "id, session_id, event_id, speaker_id, role, presentation_title, workflow_state, is_confirmed, invitation_id, invited_at, \
    invitation_expires_at, invitation_withdrawn_at, confirmed_at, declined_at, decline_reason, updated_at, version";

/// A new invitation of `speaker_id` to a session.
pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub speaker_id: Uuid,
    pub role: &'a str,
    pub presentation_title: Option<&'a str>,
    pub invitation_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Creates the assignment in `contacted`; `false` when the speaker is already on the session.
pub async fn insert_invitation(
    conn: &mut PgConnection,
    i: &NewInvitation<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into session_speakers (id, session_id, event_id, speaker_id, role, presentation_title, workflow_state, invitation_id, invited_at, \
         invitation_expires_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $10, $7, $8, $9, $8, $8) \
         on conflict (session_id, speaker_id) do nothing",
    )
    .bind(i.id)
    .bind(i.session_id)
    .bind(i.event_id)
    .bind(i.speaker_id)
    .bind(i.role)
    .bind(i.presentation_title)
    .bind(i.invitation_id)
    .bind(now)
    .bind(i.expires_at)
    .bind(Stored(SpeakerWorkflowState::Contacted))
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The speaker's assignment to the session, locked, if there is one.
pub async fn lock_on_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
) -> Result<Option<AssignmentRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from session_speakers where session_id = $1 and speaker_id = $2 for update"
    ))
    .bind(session_id)
    .bind(speaker_id)
    .fetch_optional(conn)
    .await
}

/// Invites the speaker of an `open` assignment (one whose invitation was withdrawn) anew:
/// a new invitation id, so links to the earlier invitation stay dead, back in `contacted`.
/// `false` when the assignment is no longer open.
pub async fn reinvite(
    conn: &mut PgConnection,
    i: &NewInvitation<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "update session_speakers set role = $2, presentation_title = $3, workflow_state = $4, invitation_id = $5, \
         invited_at = $6, invitation_expires_at = $7, invitation_withdrawn_at = null, updated_at = $6, \
         version = version + 1 where id = $1 and workflow_state = $8",
    )
    .bind(i.id)
    .bind(i.role)
    .bind(i.presentation_title)
    .bind(Stored(SpeakerWorkflowState::Contacted))
    .bind(i.invitation_id)
    .bind(now)
    .bind(i.expires_at)
    .bind(Stored(SpeakerWorkflowState::Open))
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// One assignment, optionally locked.
pub async fn fetch_assignment(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<AssignmentRecord>, sqlx::Error> {
    let suffix = if lock { " for update" } else { "" };
    sqlx::query_as(&format!(
        "select {COLUMNS} from session_speakers where id = $1{suffix}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Moves an assignment to `state`, recording the answer's facts: when it was accepted or
/// declined (with the reason), or withdrawn (back to `open`), and whether the speaker is
/// confirmed.
pub async fn set_state(
    conn: &mut PgConnection,
    id: Uuid,
    state: SpeakerWorkflowState,
    decline_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    use SpeakerWorkflowState::{Accepted, Declined, Open};
    sqlx::query(
        "update session_speakers set workflow_state = $2, updated_at = $4, version = version + 1, is_confirmed = $5, \
         confirmed_at = case when $6 then $4 else confirmed_at end, \
         declined_at = case when $7 then $4 else declined_at end, \
         decline_reason = case when $7 then $3 else decline_reason end, \
         invitation_withdrawn_at = case when $8 then $4 else invitation_withdrawn_at end where id = $1",
    )
    .bind(id)
    .bind(Stored(state))
    .bind(decline_reason)
    .bind(now)
    .bind(state.is_confirmed())
    .bind(state == Accepted)
    .bind(state == Declined)
    .bind(state == Open)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the reasons speaker `speaker_id` gave when declining (erasure: the words are
/// theirs); the answers themselves stay.
pub async fn forget_reasons_of(
    conn: &mut PgConnection,
    speaker_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update session_speakers set decline_reason = null where speaker_id = $1 and decline_reason is not null",
    )
    .bind(speaker_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The assignments of a speaker (their sessions), newest first.
pub async fn of_speaker(
    db: impl PgExecutor<'_>,
    speaker_id: Uuid,
) -> Result<Vec<AssignmentRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from session_speakers where speaker_id = $1 order by id desc"
    ))
    .bind(speaker_id)
    .fetch_all(db)
    .await
}

/// The assignments of the sessions `session_ids`, locked.
pub async fn of_sessions(
    conn: &mut PgConnection,
    session_ids: &[Uuid],
) -> Result<Vec<AssignmentRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from session_speakers where session_id = any($1) order by id for update"
    ))
    .bind(session_ids)
    .fetch_all(conn)
    .await
}
