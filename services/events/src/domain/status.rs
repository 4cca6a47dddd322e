//! The two state machines of an event: its `EventStatus` (what the public sees) and its
//! `EventWorkflowState` (where the organizers are in planning). Each lists every allowed
//! transition once; anything else is refused with the current state and the allowed next ones.

use serde::{Deserialize, Serialize};
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

fn name<T: Serialize>(value: T) -> String {
    super::enum_name(&value)
}

fn allowed_from<T: Copy + PartialEq + Serialize>(table: &[(T, T)], from: T) -> Vec<String> {
    table
        .iter()
        .filter(|(f, _)| *f == from)
        .map(|(_, to)| name(*to))
        .collect()
}

impl EventStatus {
    /// Checks `self → to` against the table.
    pub fn transition(self, to: EventStatus) -> Result<EventStatus, EventError> {
        if STATUS_TRANSITIONS.contains(&(self, to)) {
            Ok(to)
        } else {
            Err(EventError::Transition {
                machine: "status",
                current: name(self),
                requested: name(to),
                allowed: allowed_from(STATUS_TRANSITIONS, self),
            })
        }
    }

    /// Whether the public agenda is visible in this status.
    pub fn is_public(self) -> bool {
        use EventStatus::*;
        matches!(
            self,
            Published | RegistrationOpen | RegistrationClosed | InProgress | Completed
        )
    }

    /// The snake_case name.
    pub fn as_str(self) -> String {
        name(self)
    }
}

impl EventWorkflowState {
    /// Checks `self → to` against the table.
    pub fn transition(self, to: EventWorkflowState) -> Result<EventWorkflowState, EventError> {
        if WORKFLOW_TRANSITIONS.contains(&(self, to)) {
            Ok(to)
        } else {
            Err(EventError::Transition {
                machine: "workflowState",
                current: name(self),
                requested: name(to),
                allowed: allowed_from(WORKFLOW_TRANSITIONS, self),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_transitions_name_the_allowed_ones() {
        let error = EventStatus::Planning
            .transition(EventStatus::Published)
            .unwrap_err();
        match error {
            EventError::Transition {
                current, allowed, ..
            } => {
                assert_eq!(current, "planning");
                assert_eq!(allowed, ["topic_defined", "archived"]);
            }
            other => panic!("unexpected {other:?}"),
        }
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
