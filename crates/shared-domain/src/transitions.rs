//! State machines as data. A machine lists every allowed move once, in a table; a move
//! that is not in the table is refused with a [`TransitionRefused`] naming the machine,
//! the current and requested states and the moves that are allowed from here. Every state
//! machine of every service (event status and workflow, the speaker workflow, content
//! reviews, registrations) decides through this one mechanism, and the HTTP side maps the
//! refusal to one `409` problem in one place.

use serde::Serialize;

use crate::names::enum_name;

/// A refused move of a state machine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{machine} cannot go from {current} to {requested}; allowed: {}", if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") })]
pub struct TransitionRefused {
    /// The machine's name as clients know it, e.g. `workflowState`.
    pub machine: &'static str,
    pub current: String,
    pub requested: String,
    /// The states reachable from `current`, in table order.
    pub allowed: Vec<String>,
}

/// A state of a machine whose allowed moves are [`StateMachine::TRANSITIONS`].
pub trait StateMachine: Copy + PartialEq + Serialize + Sized + 'static {
    /// The machine's name in refusals (the field clients set), e.g. `status`.
    const MACHINE: &'static str;
    /// Every allowed `(from, to)` move, once.
    const TRANSITIONS: &'static [(Self, Self)];

    /// `to` when `self → to` is in the table, else the refusal naming the allowed moves.
    fn transition(self, to: Self) -> Result<Self, TransitionRefused> {
        if Self::TRANSITIONS.contains(&(self, to)) {
            return Ok(to);
        }
        Err(TransitionRefused {
            machine: Self::MACHINE,
            current: enum_name(&self),
            requested: enum_name(&to),
            allowed: self.allowed().iter().map(enum_name).collect(),
        })
    }

    /// The states reachable from `self` in one move.
    fn allowed(self) -> Vec<Self> {
        Self::TRANSITIONS
            .iter()
            .filter(|(from, _)| *from == self)
            .map(|(_, to)| *to)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Door {
        Open,
        Closed,
        Locked,
    }

    impl StateMachine for Door {
        const MACHINE: &'static str = "door";
        const TRANSITIONS: &'static [(Self, Self)] = &[
            (Door::Open, Door::Closed),
            (Door::Closed, Door::Open),
            (Door::Closed, Door::Locked),
            (Door::Locked, Door::Closed),
        ];
    }

    #[test]
    fn a_move_in_the_table_is_taken() {
        assert_eq!(Door::Closed.transition(Door::Locked), Ok(Door::Locked));
    }

    #[test]
    fn a_refusal_names_the_machine_the_states_and_the_allowed_moves() {
        let refused = Door::Open.transition(Door::Locked).unwrap_err();
        assert_eq!(refused.machine, "door");
        assert_eq!(
            (refused.current.as_str(), refused.requested.as_str()),
            ("open", "locked")
        );
        assert_eq!(refused.allowed, ["closed"]);
        assert_eq!(
            refused.to_string(),
            "door cannot go from open to locked; allowed: closed"
        );
    }
}
