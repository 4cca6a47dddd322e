//! The 8-state workflow of a speaker's assignment to a session. Every allowed transition is
//! listed once; any other is refused with the current state and the allowed next ones.

use serde::{Deserialize, Serialize};
pub use shared_domain::StateMachine;
use utoipa::ToSchema;

/// The role of a speaker in a session.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    PrimarySpeaker,
    CoSpeaker,
    Moderator,
    Panelist,
}

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
    // Published by an organizer's override of the content review.
    (SlotAssigned, FinalAgenda),
    // Not selected in the overflow voting: the speaker leaves the session.
    (Accepted, Declined),
];

impl StateMachine for SpeakerWorkflowState {
    const MACHINE: &'static str = "workflowState";
    const TRANSITIONS: &'static [(Self, Self)] = TRANSITIONS;
}

impl SpeakerWorkflowState {
    /// Whether the speaker can still answer the invitation.
    pub fn awaits_answer(self) -> bool {
        matches!(self, Contacted | Ready)
    }

    /// Whether an organizer's invitation starts the assignment afresh: only once an earlier
    /// invitation was withdrawn (`open`); an invited, answering or confirmed speaker is on the
    /// session already and a decline is final.
    pub fn takes_a_new_invitation(self) -> bool {
        self == Open
    }

    /// Whether the speaker has confirmed (accepted, and every step after).
    pub fn is_confirmed(self) -> bool {
        matches!(
            self,
            Accepted | SlotAssigned | QualityReviewed | FinalAgenda
        )
    }

    /// Whether the speaker is (still) on the session: invited, answering or confirmed.
    pub fn is_on_session(self) -> bool {
        !matches!(self, Open | Declined)
    }

    /// Where the agenda's progress takes a confirmed assignment: scheduled in a slot
    /// (`slot_assigned`), then published (`final_agenda`); each step applies where the
    /// workflow allows it, so an announcement that arrives late still lands.
    pub fn on_agenda(self, published: bool) -> Option<SpeakerWorkflowState> {
        let scheduled = self.transition(SlotAssigned).unwrap_or(self);
        let reached = if published {
            scheduled.transition(FinalAgenda).unwrap_or(scheduled)
        } else {
            scheduled
        };
        (reached != self).then_some(reached)
    }

    /// The state an approved content review moves the assignment to, if it moves.
    pub fn on_content_approved(self) -> Option<SpeakerWorkflowState> {
        self.transition(QualityReviewed).ok()
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
    fn the_agenda_moves_confirmed_speakers_to_slot_assigned_then_final_agenda() {
        assert_eq!(Accepted.on_agenda(false), Some(SlotAssigned));
        assert_eq!(QualityReviewed.on_agenda(false), None);
        assert_eq!(QualityReviewed.on_agenda(true), Some(FinalAgenda));
        assert_eq!(Accepted.on_agenda(true), Some(FinalAgenda));
        assert_eq!(Contacted.on_agenda(true), None, "not a confirmed speaker");
        assert_eq!(FinalAgenda.on_agenda(true), None);
    }

    #[test]
    fn refused_transitions_name_the_allowed_ones() {
        let refused = Declined.transition(Accepted).unwrap_err();
        assert_eq!(refused.current, "declined");
        assert!(refused.allowed.is_empty());
        assert_eq!(
            Open.transition(Accepted).unwrap_err().allowed,
            ["contacted"]
        );
    }
}
