//! The 8-state workflow of a speaker's assignment to a session. Every allowed transition is
//! listed once; any other is refused with the current state and the allowed next ones.

use serde::{Deserialize, Serialize};
use shared_domain::names::enum_name;
use utoipa::ToSchema;

use super::SpeakerError;

/// Where a speaker's assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerWorkflowState {
    Open,
    Contacted,
    Ready,
    Declined,
    Accepted,
    SlotAssigned,
    QualityReviewed,
    FinalAgenda,
}

use SpeakerWorkflowState::*;

/// `contacted` = invited; `ready` = the speaker showed interest (viewed the invitation or
/// talked to organizers); the speaker answers from either. A withdrawn invitation goes back
/// to `open`; `declined` is final. The content review may be approved before or after the
/// slot is assigned, so `accepted` leads to either.
const TRANSITIONS: &[(SpeakerWorkflowState, SpeakerWorkflowState)] = &[
    (Open, Contacted),
    (Contacted, Ready),
    (Contacted, Accepted),
    (Contacted, Declined),
    (Contacted, Open),
    (Ready, Accepted),
    (Ready, Declined),
    (Ready, Open),
    (Accepted, SlotAssigned),
    (Accepted, QualityReviewed),
    (SlotAssigned, QualityReviewed),
    (QualityReviewed, FinalAgenda),
];

impl SpeakerWorkflowState {
    /// Checks `self → to` against the table.
    pub fn transition(
        self,
        to: SpeakerWorkflowState,
    ) -> Result<SpeakerWorkflowState, SpeakerError> {
        if TRANSITIONS.contains(&(self, to)) {
            return Ok(to);
        }
        Err(SpeakerError::Transition {
            machine: "workflowState",
            current: enum_name(&self),
            requested: enum_name(&to),
            allowed: TRANSITIONS
                .iter()
                .filter(|(from, _)| *from == self)
                .map(|(_, to)| enum_name(to))
                .collect(),
        })
    }

    /// Whether the speaker can still answer the invitation.
    pub fn awaits_answer(self) -> bool {
        matches!(self, Contacted | Ready)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_runs_from_open_to_the_final_agenda() {
        let path = [
            Open,
            Contacted,
            Ready,
            Accepted,
            SlotAssigned,
            QualityReviewed,
            FinalAgenda,
        ];
        for pair in path.windows(2) {
            assert_eq!(pair[0].transition(pair[1]).unwrap(), pair[1]);
        }
    }

    #[test]
    fn refused_transitions_name_the_allowed_ones() {
        match Declined.transition(Accepted).unwrap_err() {
            SpeakerError::Transition {
                current, allowed, ..
            } => {
                assert_eq!(current, "declined");
                assert!(allowed.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
        match Open.transition(Accepted).unwrap_err() {
            SpeakerError::Transition { allowed, .. } => assert_eq!(allowed, ["contacted"]),
            other => panic!("unexpected {other:?}"),
        }
    }
}
