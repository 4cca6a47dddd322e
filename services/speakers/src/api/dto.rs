//! What the speakers API answers with, shared by its handlers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::workflow::SpeakerWorkflowState;
use crate::store::assignments::AssignmentRecord;

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
            workflow_state: *r.workflow_state,
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
