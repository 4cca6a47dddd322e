//! The invitation saga (ARCHITECTURE.md saga 2) on the speakers side: organizers invite a
//! speaker to a session; the speaker answers with the signed link, without an account;
//! organizers may withdraw an unanswered invitation. Every step writes its event through
//! the outbox in the same transaction.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::read_model::await_known;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::speakers::{
    InvitationWithdrawn, SpeakerAccepted, SpeakerDeclined, SpeakerInvited,
};
use shared_domain::names::{enum_name, parse_stored};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use crate::domain::workflow::SpeakerWorkflowState;
use crate::domain::SpeakerError;
use crate::invitation::{self, TokenProblem};
use crate::store;
use crate::store::assignments::{AssignmentRecord, NewInvitation};

/// The role of a speaker in a session.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    PrimarySpeaker,
    CoSpeaker,
    Moderator,
    Panelist,
}

/// Body of `POST /api/v1/invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteRequest {
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub role: SpeakerRole,
    pub presentation_title: Option<String>,
}

/// The token of an invitation link.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    pub token: String,
}

/// Body of `POST /api/v1/invitations/{id}/decline`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclineRequest {
    pub token: String,
    pub reason: Option<String>,
}

/// A speaker's assignment to a session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentResponse {
    pub id: Uuid,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub speaker_id: Uuid,
    pub role: String,
    pub presentation_title: Option<String>,
    pub workflow_state: SpeakerWorkflowState,
    pub is_confirmed: bool,
    pub invited_at: Option<DateTime<Utc>>,
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
}

impl From<AssignmentRecord> for AssignmentResponse {
    fn from(r: AssignmentRecord) -> Self {
        AssignmentResponse {
            id: r.id,
            session_id: r.session_id,
            event_id: r.event_id,
            speaker_id: r.speaker_id,
            workflow_state: parse_stored(&r.workflow_state),
            role: r.role,
            presentation_title: r.presentation_title,
            is_confirmed: r.is_confirmed,
            invited_at: r.invited_at,
            invitation_expires_at: r.invitation_expires_at,
            confirmed_at: r.confirmed_at,
            declined_at: r.declined_at,
            decline_reason: r.decline_reason,
        }
    }
}

/// An invitation as the organizer sees it right after inviting.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationResponse {
    pub assignment: AssignmentResponse,
    /// The self-service link mailed to the speaker.
    pub invitation_link: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Invites a speaker to a session (organizers). The session must be known and live.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = InviteRequest,
    responses((status = 201, body = InvitationResponse), (status = 409, description = "Already on this session", body = Problem), (status = 422, body = Problem),
        (status = 503, description = "The session was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem)), security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    RequestContext(context): RequestContext,
    Json(r): Json<InviteRequest>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let title = r
        .presentation_title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if title.is_some_and(|t| t.chars().count() > 255) {
        return Err(ApiError::invalid_field(
            "presentationTitle",
            "must be at most 255 characters",
        ));
    }
    store::speakers::fetch_speaker(&state.pool, r.speaker_id)
        .await?
        .ok_or_else(|| ApiError::invalid_field("speakerId", "is not a known speaker"))?;
    // Sessions come from the events service: one created a moment ago is waited for.
    let session = await_known("sessionId", "session", r.session_id, || {
        store::sessions::fetch_session(&state.pool, r.session_id)
    })
    .await?;
    let mut tx = state.pool.begin().await?;
    if session.cancelled {
        return Err(ApiError::invalid_field(
            "sessionId",
            "the session is cancelled",
        ));
    }
    let now = Utc::now();
    let (id, invitation_id) = (shared_domain::new_id(), shared_domain::new_id());
    let (token, expires_at) =
        invitation::sign(&state.signing_secret, id, invitation_id, r.speaker_id, now);
    let role = enum_name(&r.role);
    let new = NewInvitation {
        id,
        session_id: session.session_id,
        event_id: session.event_id,
        speaker_id: r.speaker_id,
        role: &role,
        presentation_title: title,
        invitation_id,
        expires_at,
    };
    if !store::assignments::insert_invitation(&mut tx, &new, now).await? {
        return Err(SpeakerError::Conflict("the speaker is already on this session".into()).into());
    }
    let link = format!(
        "{}/speaker/invitations/{id}?token={token}",
        state.public_base_url
    );
    let invited = SpeakerInvited {
        assignment_id: id,
        speaker_id: r.speaker_id,
        session_id: session.session_id,
        event_id: session.event_id,
        role,
        presentation_title: title.map(str::to_owned),
        invitation_link: link.clone(),
        expires_at,
        invited_at: now,
    };
    enqueue(&mut tx, &invited, &context).await?;
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    let body = InvitationResponse {
        assignment: AssignmentResponse::from(assignment),
        invitation_link: link,
        token,
        expires_at,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Checks a link token against invitation `id` and returns its assignment, locked.
async fn by_token(
    conn: &mut sqlx::PgConnection,
    state: &AppState,
    id: Uuid,
    token: &str,
) -> Result<AssignmentRecord, ApiError> {
    let claims =
        invitation::verify(&state.signing_secret, token).map_err(|problem| match problem {
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
    let assignment = store::assignments::fetch_assignment(conn, id, true)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    if assignment.invitation_id != Some(claims.jti) || assignment.invitation_withdrawn_at.is_some()
    {
        return Err(SpeakerError::Gone("This invitation was withdrawn".into()).into());
    }
    Ok(assignment)
}

/// Shows the invitation to the speaker holding the link (no account needed).
#[utoipa::path(get, path = "/api/v1/invitations/{id}", tag = "invitations", params(("id" = Uuid, Path), TokenQuery),
    responses((status = 200, body = AssignmentResponse), (status = 401, description = "Tampered link", body = Problem), (status = 410, description = "Expired or withdrawn", body = Problem)))]
pub async fn view_invitation(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<TokenQuery>,
) -> Result<Json<AssignmentResponse>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    Ok(Json(AssignmentResponse::from(
        by_token(&mut conn, &state, id, &q.token).await?,
    )))
}

/// Accepts the invitation with the link's token; accepting twice changes nothing.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/accept", tag = "invitations", request_body = TokenQuery, params(("id" = Uuid, Path)),
    responses((status = 200, body = AssignmentResponse), (status = 401, body = Problem), (status = 409, description = "Already declined", body = Problem), (status = 410, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    Json(body): Json<TokenQuery>,
) -> Result<Json<AssignmentResponse>, ApiError> {
    let mut tx = state.pool.begin().await?;
    let assignment = by_token(&mut tx, &state, id, &body.token).await?;
    let current: SpeakerWorkflowState = parse_stored(&assignment.workflow_state);
    if current.awaits_answer() {
        let now = Utc::now();
        current.transition(SpeakerWorkflowState::Accepted)?;
        store::assignments::set_state(&mut tx, id, "accepted", None, now).await?;
        let accepted = SpeakerAccepted {
            assignment_id: id,
            speaker_id: assignment.speaker_id,
            session_id: assignment.session_id,
            event_id: assignment.event_id,
            role: assignment.role.clone(),
            presentation_title: assignment.presentation_title.clone(),
            accepted_at: now,
        };
        enqueue(&mut tx, &accepted, &context).await?;
    } else if current == SpeakerWorkflowState::Declined {
        return Err(SpeakerError::Conflict("the invitation was declined".into()).into());
    }
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(AssignmentResponse::from(assignment)))
}

/// Declines the invitation with the link's token and an optional reason.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/decline", tag = "invitations", request_body = DeclineRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = AssignmentResponse), (status = 401, body = Problem), (status = 409, description = "Already accepted", body = Problem), (status = 410, body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    Json(body): Json<DeclineRequest>,
) -> Result<Json<AssignmentResponse>, ApiError> {
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::invalid_field(
            "reason",
            "must be at most 2000 characters",
        ));
    }
    let mut tx = state.pool.begin().await?;
    let assignment = by_token(&mut tx, &state, id, &body.token).await?;
    let current: SpeakerWorkflowState = parse_stored(&assignment.workflow_state);
    if current.awaits_answer() {
        let now = Utc::now();
        store::assignments::set_state(&mut tx, id, "declined", reason, now).await?;
        let declined = SpeakerDeclined {
            assignment_id: id,
            speaker_id: assignment.speaker_id,
            session_id: assignment.session_id,
            event_id: assignment.event_id,
            reason: reason.map(str::to_owned),
            declined_at: now,
        };
        enqueue(&mut tx, &declined, &context).await?;
    } else if current != SpeakerWorkflowState::Declined {
        return Err(SpeakerError::Conflict("the invitation was already accepted".into()).into());
    }
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(AssignmentResponse::from(assignment)))
}

/// Withdraws an unanswered invitation (organizers); its link stops working.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/withdraw", tag = "invitations", params(("id" = Uuid, Path)),
    responses((status = 200, body = AssignmentResponse), (status = 404, body = Problem), (status = 409, description = "Already answered", body = Problem)), security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Json<AssignmentResponse>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let mut tx = state.pool.begin().await?;
    let assignment = store::assignments::fetch_assignment(&mut tx, id, true)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    let current: SpeakerWorkflowState = parse_stored(&assignment.workflow_state);
    current.transition(SpeakerWorkflowState::Open)?;
    let now = Utc::now();
    store::assignments::set_state(&mut tx, id, "open", None, now).await?;
    let withdrawn = InvitationWithdrawn {
        assignment_id: id,
        speaker_id: assignment.speaker_id,
        session_id: assignment.session_id,
        event_id: assignment.event_id,
        withdrawn_at: now,
    };
    enqueue(&mut tx, &withdrawn, &context).await?;
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(AssignmentResponse::from(assignment)))
}
