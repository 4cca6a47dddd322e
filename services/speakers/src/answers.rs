//! A speaker's answer to an invitation, made with the signed link from the mail and no
//! account: look the invitation up by its token, decide in the workflow table, and store
//! the new state with its event in one transaction. The JSON API
//! (`/api/v1/invitations/{id}/…`) and the page the mail links to (`/speaker/invitations/{id}`)
//! both answer through here.

use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::ApiError;
use shared_domain::contracts::speakers::{SpeakerAccepted, SpeakerDeclined};
use shared_domain::contracts::Known;
use shared_domain::StateMachine;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::workflow::SpeakerWorkflowState;
use crate::domain::SpeakerError;
use crate::invitation::{self, TokenProblem};
use crate::store;
use crate::store::assignments::AssignmentRecord;
use crate::store::events::KnownEvent;
use crate::store::sessions::KnownSession;

/// Longest decline reason kept.
pub const MAX_REASON_CHARS: usize = 2000;

/// An invitation with what the speaker needs to decide: the session and its event (when
/// the read models know them) and the speaker's language.
pub struct InvitationDetails {
    pub assignment: AssignmentRecord,
    pub session: Option<KnownSession>,
    pub event: Option<KnownEvent>,
    pub language: String,
}

/// Checks a link token against invitation `id` and returns its assignment (`lock`ed for
/// an answer): 401 for a tampered or foreign link, 410 for an expired or withdrawn one and
/// for one of an erased speaker.
pub async fn by_token(
    conn: &mut PgConnection,
    secret: &str,
    id: Uuid,
    token: &str,
    lock: bool,
) -> Result<AssignmentRecord, ApiError> {
    let claims = invitation::verify(secret, token).map_err(|problem| match problem {
        TokenProblem::Invalid => ApiError::unauthenticated("The invitation link is not valid"),
        TokenProblem::Expired => SpeakerError::Gone(
            "The invitation link has expired; ask the organizers for a new one".into(),
        )
        .into(),
    })?;
    if claims.sub != id {
        return Err(ApiError::unauthenticated(
            "The invitation link does not belong to this invitation",
        ));
    }
    let found = store::assignments::fetch_assignment(conn, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    // The speaker's row before the assignment's, in the order erasure takes them: an answer
    // and an erasure of the same speaker never both commit.
    let erased = store::speakers::fetch_erased_at(conn, found.speaker_id, lock)
        .await?
        .is_none_or(|erased_at| erased_at.is_some());
    let assignment = if lock {
        store::assignments::fetch_assignment(conn, id, true)
            .await?
            .ok_or(SpeakerError::InvitationNotFound(id))?
    } else {
        found
    };
    if erased
        || assignment.invitation_id != Some(claims.jti)
        || assignment.invitation_withdrawn_at.is_some()
    {
        return Err(SpeakerError::Gone("This invitation was withdrawn".into()).into());
    }
    Ok(assignment)
}

/// The invitation behind a link, with its session, event and the speaker's language.
pub async fn details(
    pool: &PgPool,
    secret: &str,
    id: Uuid,
    token: &str,
) -> Result<InvitationDetails, ApiError> {
    let mut conn = pool.acquire().await?;
    let assignment = by_token(&mut conn, secret, id, token, false).await?;
    let session = store::sessions::fetch_session(&mut *conn, assignment.session_id).await?;
    let event = store::events::fetch_event(&mut *conn, assignment.event_id).await?;
    let language = store::speakers::fetch_speaker(&mut *conn, assignment.speaker_id)
        .await?
        .map(|s| s.communication_preferences.0.language)
        .unwrap_or_else(|| "de".into());
    Ok(InvitationDetails {
        assignment,
        session,
        event,
        language,
    })
}

/// Accepts the invitation; accepting again changes nothing, accepting a declined one is a
/// conflict.
pub async fn accept(
    pool: &PgPool,
    secret: &str,
    id: Uuid,
    token: &str,
    context: &EventContext,
) -> Result<AssignmentRecord, ApiError> {
    let mut tx = pool.begin().await?;
    let assignment = by_token(&mut tx, secret, id, token, true).await?;
    let current = *assignment.workflow_state;
    if current.awaits_answer() {
        let now = Utc::now();
        let next = current.transition(SpeakerWorkflowState::Accepted)?;
        store::assignments::set_state(&mut tx, id, next, None, now).await?;
        let accepted = SpeakerAccepted {
            assignment_id: id,
            speaker_id: assignment.speaker_id,
            session_id: assignment.session_id,
            event_id: assignment.event_id,
            role: Known::named(&assignment.role),
            presentation_title: assignment.presentation_title.clone(),
            accepted_at: now,
        };
        enqueue(&mut tx, &accepted, context).await?;
    } else if current == SpeakerWorkflowState::Declined {
        return Err(SpeakerError::Conflict("the invitation was declined".into()).into());
    }
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    Ok(assignment)
}

/// Declines the invitation with an optional reason (blank is none, at most
/// [`MAX_REASON_CHARS`]); declining again changes nothing, declining an accepted one is a
/// conflict.
pub async fn decline(
    pool: &PgPool,
    secret: &str,
    id: Uuid,
    token: &str,
    reason: Option<&str>,
    context: &EventContext,
) -> Result<AssignmentRecord, ApiError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::invalid_field(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let mut tx = pool.begin().await?;
    let assignment = by_token(&mut tx, secret, id, token, true).await?;
    let current = *assignment.workflow_state;
    if current.awaits_answer() {
        let now = Utc::now();
        let next = current.transition(SpeakerWorkflowState::Declined)?;
        store::assignments::set_state(&mut tx, id, next, reason, now).await?;
        let declined = SpeakerDeclined {
            assignment_id: id,
            speaker_id: assignment.speaker_id,
            session_id: assignment.session_id,
            event_id: assignment.event_id,
            reason: reason.map(str::to_owned),
            declined_at: now,
        };
        enqueue(&mut tx, &declined, context).await?;
    } else if current != SpeakerWorkflowState::Declined {
        return Err(SpeakerError::Conflict("the invitation was already accepted".into()).into());
    }
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    Ok(assignment)
}
