//! The two state machines of an event: its `EventStatus` (what the public sees) and its
//! `EventWorkflowState` (where the organizers are in planning). Each lists every allowed
//! transition once; anything else is refused with the current state and the allowed next ones.

use serde::{Deserialize, Serialize};
pub use shared_domain::StateMachine;
use utoipa::ToSchema;

use super::EventError;

/// The lifecycle of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Planning,
    TopicDefined,
    SpeakersInvited,
    AgendaDraft,
    Published,
    RegistrationOpen,
    RegistrationClosed,
    InProgress,
    Completed,
    Archived,
}

/// Where the organizers are in planning the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventWorkflowState {
    TopicSelection,
    SpeakerBrainstorming,
    SpeakerAssignment,
    SpeakerOutreach,
    ContentCollection,
    QualityReview,
    SlotAssignment,
    AgendaFinalization,
    Published,
}

/// Every allowed status transition. Planning steps may go back one step; an event that was
/// never published may be archived (cancelled); once registration opened, only forward.
const STATUS_TRANSITIONS: &[(EventStatus, EventStatus)] = {
    use EventStatus::*;
    &[
        (Planning, TopicDefined),
        (Planning, Archived),
        (TopicDefined, SpeakersInvited),
        (TopicDefined, Planning),
        (TopicDefined, Archived),
        (SpeakersInvited, AgendaDraft),
        (SpeakersInvited, TopicDefined),
        (SpeakersInvited, Archived),
        (AgendaDraft, Published),
        (AgendaDraft, SpeakersInvited),
        (AgendaDraft, Archived),
        (Published, RegistrationOpen),
        (Published, AgendaDraft),
        (RegistrationOpen, RegistrationClosed),
        (RegistrationClosed, RegistrationOpen),
        (RegistrationClosed, InProgress),
        (InProgress, Completed),
        (Completed, Archived),
    ]
};

/// Every allowed workflow transition: one step forward, or one step back before publication.
/// Reaching `published` happens only through the status transition to `published`.
const WORKFLOW_TRANSITIONS: &[(EventWorkflowState, EventWorkflowState)] = {
    use EventWorkflowState::*;
    &[
        (TopicSelection, SpeakerBrainstorming),
        (SpeakerBrainstorming, SpeakerAssignment),
        (SpeakerBrainstorming, TopicSelection),
        (SpeakerAssignment, SpeakerOutreach),
        (SpeakerAssignment, SpeakerBrainstorming),
        (SpeakerOutreach, ContentCollection),
        (SpeakerOutreach, SpeakerAssignment),
        (ContentCollection, QualityReview),
        (ContentCollection, SpeakerOutreach),
        (QualityReview, SlotAssignment),
        (QualityReview, ContentCollection),
        (SlotAssignment, AgendaFinalization),
        (SlotAssignment, QualityReview),
        (AgendaFinalization, SlotAssignment),
    ]
};

impl StateMachine for EventStatus {
    const MACHINE: &'static str = "status";
    const TRANSITIONS: &'static [(Self, Self)] = STATUS_TRANSITIONS;
}

impl StateMachine for EventWorkflowState {
    const MACHINE: &'static str = "workflowState";
    const TRANSITIONS: &'static [(Self, Self)] = WORKFLOW_TRANSITIONS;
}

impl EventStatus {
    /// The statuses in which the event and its agenda are public.
    pub const PUBLIC: [EventStatus; 5] = [
        EventStatus::Published,
        EventStatus::RegistrationOpen,
        EventStatus::RegistrationClosed,
        EventStatus::InProgress,
        EventStatus::Completed,
    ];

    /// Whether the public agenda is visible in this status.
    pub fn is_public(self) -> bool {
        Self::PUBLIC.contains(&self)
    }

    /// Who sees the event: organizers always, everyone else once it is public.
    pub fn visible_to(self, organizer: bool) -> bool {
        organizer || self.is_public()
    }

    /// The date, deadline, type, slot grid and slot assignments are fixed once the event
    /// is public (move it back to `agenda_draft` to change them) or archived.
    pub fn ensure_planning_open(self) -> Result<(), EventError> {
        if self.is_public() || self == EventStatus::Archived {
            return Err(EventError::Conflict(format!(
                "the date, deadline, type and slots of an event in status {} are fixed; move it back to agenda_draft first",
                self.as_str()
            )));
        }
        Ok(())
    }

    /// Sessions change until the event starts.
    pub fn ensure_sessions_open(self) -> Result<(), EventError> {
        use EventStatus::*;
        if matches!(self, InProgress | Completed | Archived) {
            return Err(EventError::Conflict(format!(
                "sessions of an event in status {} cannot change",
                self.as_str()
            )));
        }
        Ok(())
    }

    /// The snake_case name.
    pub fn as_str(self) -> String {
        super::enum_name(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_transitions_name_the_allowed_ones() {
        let refused = EventStatus::Planning
            .transition(EventStatus::Published)
            .unwrap_err();
        assert_eq!(refused.machine, "status");
        assert_eq!(refused.current, "planning");
        assert_eq!(refused.allowed, ["topic_defined", "archived"]);
    }

    #[test]
    fn the_lifecycle_runs_forward_to_archived() {
        use EventStatus::*;
        let path = [
            Planning,
            TopicDefined,
            SpeakersInvited,
            AgendaDraft,
            Published,
            RegistrationOpen,
            RegistrationClosed,
            InProgress,
            Completed,
            Archived,
        ];
        for pair in path.windows(2) {
            assert_eq!(pair[0].transition(pair[1]).unwrap(), pair[1]);
        }
        assert!(Completed.transition(Planning).is_err());
        assert!(RegistrationOpen.transition(Archived).is_err());
    }

    #[test]
    fn planning_is_fixed_once_public_or_archived() {
        use EventStatus::*;
        assert!(AgendaDraft.ensure_planning_open().is_ok());
        assert!(Published.ensure_planning_open().is_err());
        assert!(Archived.ensure_planning_open().is_err());
        assert!(Published.ensure_sessions_open().is_ok());
        assert!(InProgress.ensure_sessions_open().is_err());
    }

    #[test]
    fn the_public_sees_public_events_only() {
        assert!(!EventStatus::Planning.visible_to(false));
        assert!(EventStatus::Planning.visible_to(true));
        assert!(EventStatus::RegistrationOpen.visible_to(false));
    }

    #[test]
    fn the_workflow_moves_one_step_at_a_time() {
        use EventWorkflowState::*;
        assert!(TopicSelection.transition(SpeakerBrainstorming).is_ok());
        assert!(TopicSelection.transition(QualityReview).is_err());
        assert!(
            AgendaFinalization.transition(Published).is_err(),
            "publication goes through the status"
        );
        assert!(Published.transition(AgendaFinalization).is_err());
    }
}
