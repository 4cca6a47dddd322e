//! Organizers move a speaker's assignment through the later workflow steps (slot assigned,
//! quality reviewed, final agenda); a speaker's history is the sessions that reached the
//! final agenda.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, Role};
use shared_domain::StateMachine;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::AssignmentResponse;
use super::AppState;
use crate::domain::workflow::SpeakerWorkflowState;
use crate::domain::SpeakerError;
use crate::store;

/// Body of `POST /api/v1/session-speakers/{id}/workflow`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowRequest {
    pub workflow_state: SpeakerWorkflowState,
}

/// One session a speaker presented.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakingEngagement {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub title: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    pub role: String,
    pub presentation_title: Option<String>,
}

/// Moves an assignment to another workflow state (organizers). Answers are the speaker's
/// (through the invitation link); this covers the organizers' steps and refuses the rest
/// with the allowed next states.
#[utoipa::path(post, path = "/api/v1/session-speakers/{id}/workflow", tag = "speakers", request_body = WorkflowRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = AssignmentResponse), (status = 404, body = Problem), (status = 409, description = "Refused transition", body = Problem)), security(("bearer" = [])))]
pub async fn change_workflow(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    body: Result<Json<WorkflowRequest>, ApiError>,
) -> Result<Json<AssignmentResponse>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    use SpeakerWorkflowState::*;
    if matches!(
        request.workflow_state,
        Accepted | Declined | Open | Contacted
    ) {
        return Err(SpeakerError::Conflict(
            "speakers answer invitations themselves; organizers invite (POST /api/v1/invitations) and withdraw them".into(),
        )
        .into());
    }
    let mut tx = state.pool.begin().await?;
    let assignment = store::assignments::fetch_assignment(&mut tx, id, true)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    let next = assignment
        .workflow_state
        .transition(request.workflow_state)?;
    store::assignments::set_state(&mut tx, id, next, None, Utc::now()).await?;
    let updated = store::assignments::fetch_assignment(&mut tx, id, false)
        .await?
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    tx.commit().await?;
    Ok(Json(AssignmentResponse::from(updated)))
}

/// The sessions a speaker presented on a final agenda, newest first (the speaker or organizers).
#[utoipa::path(get, path = "/api/v1/speakers/{id}/history", tag = "speakers", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SpeakingEngagement>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn speaking_history(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<SpeakingEngagement>>, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(id))?;
    let mut conn = state.pool.acquire().await?;
    store::speakers::fetch_speaker(&mut *conn, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    let mut engagements = Vec::new();
    for assignment in store::assignments::of_speaker(&mut *conn, id)
        .await?
        .into_iter()
        .filter(|a| *a.workflow_state == SpeakerWorkflowState::FinalAgenda)
    {
        let session = store::sessions::fetch_session(&mut *conn, assignment.session_id).await?;
        engagements.push(SpeakingEngagement {
            session_id: assignment.session_id,
            event_id: assignment.event_id,
            title: session.as_ref().map(|s| s.title.clone()),
            start_time: session.map(|s| s.start_time),
            role: assignment.role,
            presentation_title: assignment.presentation_title,
        });
    }
    engagements.sort_by_key(|e| std::cmp::Reverse(e.start_time));
    Ok(Json(engagements))
}
