//! Automatic slot assignment for an event.
//!
//! Given the slots of an event and the sessions of the accepted speakers,
//! each with ranked time preferences, [`assign`] computes the assignment of
//! sessions to slots that
//!
//! 1. never breaks a hard constraint (see [`check_manual`] and
//!    [`Conflict::is_hard`]): no `unavailable` window, no slot ending after
//!    the speaker's `cannotPresentAfter`, no missing technical capability and
//!    no break / lunch / networking slot;
//! 2. assigns as many sessions as possible; and
//! 3. among those assignments, maximises the total preference score.
//!
//! The optimum is exact: the problem is encoded as a maximum-weight bipartite
//! matching and solved with the Hungarian (Kuhn–Munkres) algorithm, so the
//! result does not depend on a greedy visiting order.
//!
//! Organizers can still place a session by hand; [`check_manual`] lists every
//! rule such a manual override would break, hard or soft.
//!
//! The crate is pure domain logic: plain serde-friendly types (camelCase
//! fields, snake_case enum values), no I/O and no persistence.

mod preferences;
mod solver;
#[cfg(test)]
mod tests;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use preferences::{check_manual, pair_score, preference_for};
pub use solver::assign;

/// Kind of an event slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlotType {
    /// A talk slot for a theoretical session.
    Theoretical,
    /// A talk slot for a practical / hands-on session.
    Practical,
    /// A keynote slot.
    Keynote,
    /// A workshop slot.
    Workshop,
    /// A break; never assignable.
    Break,
    /// A lunch break; never assignable.
    Lunch,
    /// A networking slot; never assignable.
    Networking,
}

impl SlotType {
    /// Whether a session may be placed into a slot of this type.
    ///
    /// Rule: break, lunch and networking slots never hold a session.
    pub fn is_assignable(self) -> bool {
        !matches!(
            self,
            SlotType::Break | SlotType::Lunch | SlotType::Networking
        )
    }
}

/// One slot of the event's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// Identifier of the slot.
    pub id: Uuid,
    /// Position of the slot in the agenda; used for stable ordering.
    pub slot_number: i32,
    /// Start time of the slot.
    pub start: NaiveTime,
    /// End time of the slot.
    pub end: NaiveTime,
    /// Kind of the slot.
    pub slot_type: SlotType,
    /// Technical equipment available in the slot (e.g. `"projector"`).
    #[serde(default)]
    pub technical_capabilities: Vec<String>,
}

/// How much a speaker wants (or can) present in a time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceLevel {
    /// The best possible window for the speaker (score 4).
    StronglyPreferred,
    /// A good window (score 3).
    Preferred,
    /// A neutral window (score 2); also the level of slots no window covers.
    Acceptable,
    /// A window the speaker would rather avoid (score 1).
    NotPreferred,
    /// The speaker cannot present in this window; a hard constraint.
    Unavailable,
}

impl PreferenceLevel {
    /// Highest score a single level can yield.
    pub const MAX_SCORE: i64 = 4;

    /// Score of the level, or `None` for [`PreferenceLevel::Unavailable`],
    /// which can never be assigned.
    ///
    /// Rule: strongly preferred 4, preferred 3, acceptable 2, not preferred 1.
    pub fn score(self) -> Option<i64> {
        match self {
            PreferenceLevel::StronglyPreferred => Some(4),
            PreferenceLevel::Preferred => Some(3),
            PreferenceLevel::Acceptable => Some(2),
            PreferenceLevel::NotPreferred => Some(1),
            PreferenceLevel::Unavailable => None,
        }
    }
}

/// A time window together with the speaker's preference for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferredTimeSlot {
    /// Start of the window.
    pub start_time: NaiveTime,
    /// End of the window (exclusive). A window that does not end after it
    /// starts is empty and overlaps nothing.
    pub end_time: NaiveTime,
    /// Preference for the window.
    pub preference: PreferenceLevel,
}

/// An accepted speaker's session waiting for a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Session to place.
    pub session_id: Uuid,
    /// Speaker presenting the session.
    pub speaker_id: Uuid,
    /// Whether the session is theoretical (subject to the morning rule).
    pub is_theoretical: bool,
    /// Ranked time windows of the speaker.
    #[serde(default)]
    pub preferences: Vec<PreferredTimeSlot>,
    /// Latest time at which the slot may end, if the speaker has one.
    #[serde(default)]
    pub cannot_present_after: Option<NaiveTime>,
    /// Technical equipment the session needs.
    #[serde(default)]
    pub required_capabilities: Vec<String>,
}

/// Event-wide settings of the assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Prefer placing theoretical sessions before `morning_ends` (soft rule).
    pub theoretical_slots_in_morning: bool,
    /// Time at which the morning ends, e.g. 12:00.
    pub morning_ends: NaiveTime,
}

impl Default for Settings {
    /// Morning rule off, morning ending at 12:00.
    fn default() -> Self {
        Settings {
            theoretical_slots_in_morning: false,
            morning_ends: NaiveTime::from_hms_opt(12, 0, 0).expect("valid time"),
        }
    }
}

/// Why a session stayed without a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Every slot breaks at least one hard constraint for this session.
    NoFeasibleSlot,
    /// Some slots were feasible, but all of them went to other sessions in
    /// the optimal assignment.
    SlotsExhausted,
}

/// A rule that placing a session into a slot would break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Conflict {
    /// Hard: the slot is a break, lunch or networking slot.
    NotAssignableSlotType {
        /// Type of the slot.
        slot_type: SlotType,
    },
    /// Hard: the slot overlaps a window the speaker marked unavailable.
    Unavailable {
        /// Start of the unavailable window.
        window_start: NaiveTime,
        /// End of the unavailable window.
        window_end: NaiveTime,
    },
    /// Hard: the slot ends after the speaker's latest possible time.
    AfterCannotPresentAfter {
        /// End of the slot.
        slot_end: NaiveTime,
        /// The speaker's `cannotPresentAfter`.
        cannot_present_after: NaiveTime,
    },
    /// Hard: the slot lacks a capability the session requires.
    MissingCapability {
        /// The missing capability, as the session names it.
        capability: String,
    },
    /// Soft: a theoretical session in a slot starting at or after the end of
    /// the morning while the morning rule is on.
    TheoreticalInAfternoon {
        /// End of the morning from the settings.
        morning_ends: NaiveTime,
    },
    /// Soft: the speaker marked the slot's time as not preferred.
    NotPreferred,
}

impl Conflict {
    /// Whether the conflict forbids the pairing for the automatic assignment.
    /// Soft conflicts only lower the score.
    pub fn is_hard(&self) -> bool {
        !matches!(
            self,
            Conflict::TheoreticalInAfternoon { .. } | Conflict::NotPreferred
        )
    }
}

/// Result of [`assign`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// `(session_id, slot_id, score)` for every assigned session, ordered by
    /// slot number (then slot start, slot id).
    pub pairs: Vec<(Uuid, Uuid, i64)>,
    /// Sum of the scores of `pairs`.
    pub total_score: i64,
    /// `(session_id, reason)` for every session left without a slot, ordered
    /// by session id.
    pub unassigned: Vec<(Uuid, Reason)>,
}

impl Assignment {
    /// Number of assigned sessions.
    pub fn assigned_count(&self) -> usize {
        self.pairs.len()
    }

    /// Slot given to `session_id`, if any.
    pub fn slot_of(&self, session_id: Uuid) -> Option<Uuid> {
        self.pairs
            .iter()
            .find(|(session, _, _)| *session == session_id)
            .map(|(_, slot, _)| *slot)
    }
}
