//! The invitation saga (ARCHITECTURE.md saga 2) on the speakers side: organizers invite a
//! speaker to a session; the speaker answers with the signed link, without an account;
//! organizers may withdraw an unanswered invitation and invite the speaker again (a new
//! link; the withdrawn one stays dead). Every step writes its event through the outbox in
//! the same transaction.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::problem::Problem;
use service_kit::read_model::await_known;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::speakers::{InvitationWithdrawn, SpeakerInvited};
use shared_domain::contracts::Known;
use shared_domain::names::enum_name;
use shared_domain::{StateMachine, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::AssignmentResponse;
use super::AppState;
use crate::answers::{self, InvitationDetails};
use crate::domain::workflow::{SpeakerRole, SpeakerWorkflowState};
use crate::domain::SpeakerError;
use crate::invitation;
use crate::store;
use crate::store::assignments::{AssignmentRecord, NewInvitation};
use crate::store::sessions::KnownSession;

/// Body of `POST /api/v1/invitations`.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
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

/// Invites a speaker to a session (organizers). The session must be known and live. A
/// speaker whose invitation to it was withdrawn is invited anew on the same assignment.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = InviteRequest,
    responses((status = 201, body = InvitationResponse), (status = 409, description = "Already on this session", body = Problem), (status = 422, body = Problem),
        (status = 503, description = "The session was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem)), security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<InviteRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(r) = body?;
    let request_hash = idempotency::fingerprint(&r);
    let mut v = Validator::new();
    let title = v.optional_text("presentationTitle", r.presentation_title.as_deref(), 255);
    v.finish().map_err(ApiError::validation)?;
    let session = invitable(&state, r.speaker_id, r.session_id).await?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let now = Utc::now();
    let on_session =
        store::assignments::lock_on_session(&mut tx, session.session_id, r.speaker_id).await?;
    let again = invited_again(on_session.as_ref())?;
    let id = again.unwrap_or_else(shared_domain::new_id);
    let invitation_id = shared_domain::new_id();
    let (token, expires_at) =
        invitation::sign(&state.signing_secret, id, invitation_id, r.speaker_id, now);
    let role = enum_name(&r.role);
    let new = NewInvitation {
        id,
        session_id: session.session_id,
        event_id: session.event_id,
        speaker_id: r.speaker_id,
        role: &role,
        presentation_title: title.as_deref(),
        invitation_id,
        expires_at,
    };
    let stored = match again {
        Some(_) => store::assignments::reinvite(&mut tx, &new, now).await?,
        None => store::assignments::insert_invitation(&mut tx, &new, now).await?,
    };
    if !stored {
        return Err(already_on_session());
    }
    let link = format!(
        "{}/speaker/invitations/{id}?token={token}",
        state.public_base_url
    );
    enqueue(&mut tx, &invited(&new, &link, now), &context).await?;
    let assignment = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    let body = InvitationResponse {
        assignment: AssignmentResponse::from(assignment),
        invitation_link: link,
        token,
        expires_at,
    };
    let answer = idempotency::created(format!("/api/v1/invitations/{id}"), None, &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// The assignment an invitation renews: the speaker's earlier one on the session when its
/// invitation was withdrawn (`open`), none for a first invitation; 409 while the speaker is
/// invited, has answered or declined.
fn invited_again(on_session: Option<&AssignmentRecord>) -> Result<Option<Uuid>, ApiError> {
    match on_session {
        None => Ok(None),
        Some(a) if a.workflow_state.takes_a_new_invitation() => Ok(Some(a.id)),
        Some(_) => Err(already_on_session()),
    }
}

fn already_on_session() -> ApiError {
    SpeakerError::Conflict("the speaker is already on this session".into()).into()
}

/// The live session a known speaker may be invited to. Sessions come from the events
/// service: one created a moment ago is waited for.
async fn invitable(
    state: &AppState,
    speaker_id: Uuid,
    session_id: Uuid,
) -> Result<KnownSession, ApiError> {
    store::speakers::fetch_speaker(&state.pool, speaker_id)
        .await?
        .ok_or_else(|| ApiError::invalid_field("speakerId", "is not a known speaker"))?;
    let session = await_known("sessionId", "session", session_id, || {
        store::sessions::fetch_session(&state.pool, session_id)
    })
    .await?;
    if session.cancelled {
        return Err(ApiError::invalid_field(
            "sessionId",
            "the session is cancelled",
        ));
    }
    Ok(session)
}

/// What the invitation announces (the notifications context mails the link).
fn invited(new: &NewInvitation, link: &str, now: DateTime<Utc>) -> SpeakerInvited {
    SpeakerInvited {
        assignment_id: new.id,
        speaker_id: new.speaker_id,
        session_id: new.session_id,
        event_id: new.event_id,
        role: Known::named(new.role),
        presentation_title: new.presentation_title.map(str::to_owned),
        invitation_link: link.to_owned(),
        expires_at: new.expires_at,
        invited_at: now,
    }
}

/// What the speaker holding the link sees: the invitation, its session and its event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    #[serde(flatten)]
    pub assignment: AssignmentResponse,
    /// The session, once the events service announced it.
    pub session: Option<SessionSummary>,
    /// The event, once the events service announced it.
    pub event: Option<EventSummary>,
}

/// The session of an invitation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    pub title: String,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
}

/// The event of an invitation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    pub event_number: i32,
    pub title: String,
    pub event_date: DateTime<Utc>,
    pub venue_name: String,
    pub venue_address: String,
}

impl From<InvitationDetails> for InvitationView {
    fn from(d: InvitationDetails) -> Self {
        InvitationView {
            assignment: AssignmentResponse::from(d.assignment),
            session: d.session.map(|s| SessionSummary {
                title: s.title,
                start_time: s.start_time,
                end_time: s.end_time,
            }),
            event: d.event.map(|e| EventSummary {
                event_number: e.event_number,
                title: e.title,
                event_date: e.event_date,
                venue_name: e.venue_name,
                venue_address: e.venue_address,
            }),
        }
    }
}

/// Shows the invitation, with its session and event, to the speaker holding the link (no
/// account needed). The link in the mail opens the page `/speaker/invitations/{id}?token=`,
/// which shows the same and answers with the same token.
#[utoipa::path(get, path = "/api/v1/invitations/{id}", tag = "invitations", params(("id" = Uuid, Path), TokenQuery),
    responses((status = 200, body = InvitationView), (status = 401, description = "Tampered link", body = Problem), (status = 410, description = "Expired or withdrawn", body = Problem)))]
pub async fn view_invitation(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<TokenQuery>,
) -> Result<Json<InvitationView>, ApiError> {
    let details = answers::details(&state.pool, &state.signing_secret, id, &q.token).await?;
    Ok(Json(InvitationView::from(details)))
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
    let assignment = answers::accept(
        &state.pool,
        &state.signing_secret,
        id,
        &body.token,
        &context,
    )
    .await?;
    Ok(Json(AssignmentResponse::from(assignment)))
}

/// Declines the invitation with the link's token and an optional reason.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/decline", tag = "invitations", request_body = DeclineRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = AssignmentResponse), (status = 401, body = Problem), (status = 409, description = "Already accepted", body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    Json(body): Json<DeclineRequest>,
) -> Result<Json<AssignmentResponse>, ApiError> {
    let assignment = answers::decline(
        &state.pool,
        &state.signing_secret,
        id,
        &body.token,
        body.reason.as_deref(),
        &context,
    )
    .await?;
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
    let current = *assignment.workflow_state;
    current.transition(SpeakerWorkflowState::Open)?;
    let now = Utc::now();
    store::assignments::set_state(&mut tx, id, SpeakerWorkflowState::Open, None, now).await?;
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
