//! Rules deciding whether a session may take a slot and how much it likes it.
//!
//! [`pair_score`] is what the solver uses; [`check_manual`] reports the same
//! rules as a list of [`Conflict`]s for manual overrides. Both are built from
//! the helpers below so they can never disagree.

use chrono::{NaiveTime, TimeDelta};

use crate::{Candidate, Conflict, PreferenceLevel, PreferredTimeSlot, Settings, Slot};

/// Score deducted for a theoretical session placed after the morning while
/// the morning rule is on.
const AFTERNOON_PENALTY: i64 = 1;

/// Length of the overlap between a slot and a preference window, or `None`
/// when they do not overlap.
///
/// Rule: times are half-open intervals `[start, end)`. A window whose end is
/// not after its start is empty and overlaps nothing. A slot whose end is not
/// after its start is treated as the instant `start`, overlapping a window
/// that contains that instant (with overlap length zero).
fn overlap(slot: &Slot, window: &PreferredTimeSlot) -> Option<TimeDelta> {
    if window.end_time <= window.start_time {
        return None;
    }
    if slot.end <= slot.start {
        let inside = window.start_time <= slot.start && slot.start < window.end_time;
        return inside.then(TimeDelta::zero);
    }
    let from = slot.start.max(window.start_time);
    let to = slot.end.min(window.end_time);
    (from < to).then(|| to.signed_duration_since(from))
}

/// Windows of the candidate overlapping the slot, with their overlap length.
fn overlapping<'a>(
    slot: &'a Slot,
    candidate: &'a Candidate,
) -> impl Iterator<Item = (&'a PreferredTimeSlot, TimeDelta)> + 'a {
    candidate
        .preferences
        .iter()
        .filter_map(move |window| overlap(slot, window).map(|len| (window, len)))
}

/// The candidate's preference level for a slot.
///
/// Rules:
/// - if any overlapping window is `unavailable`, the result is `unavailable`
///   (the most restrictive window always wins);
/// - otherwise the level of the window overlapping the slot the longest; on
///   equal overlap the less favourable level is taken, so the result does not
///   depend on the order of the windows;
/// - no overlapping window at all means `acceptable`.
pub fn preference_for(slot: &Slot, candidate: &Candidate) -> PreferenceLevel {
    let mut best: Option<(TimeDelta, i64, PreferenceLevel)> = None;
    for (window, len) in overlapping(slot, candidate) {
        let Some(score) = window.preference.score() else {
            return PreferenceLevel::Unavailable;
        };
        // Longer overlap first; on a tie the lower score wins.
        let better = match best {
            None => true,
            Some((best_len, best_score, _)) => {
                len > best_len || (len == best_len && score < best_score)
            }
        };
        if better {
            best = Some((len, score, window.preference));
        }
    }
    best.map_or(PreferenceLevel::Acceptable, |(_, _, level)| level)
}

/// Rule: a slot may not end after the speaker's `cannotPresentAfter`
/// (ending exactly at that time is fine).
fn ends_too_late(slot: &Slot, candidate: &Candidate) -> Option<NaiveTime> {
    candidate
        .cannot_present_after
        .filter(|&limit| slot.end > limit)
}

/// Normalised form of a capability name used for comparisons.
fn normalise(capability: &str) -> String {
    capability.trim().to_ascii_lowercase()
}

/// Required capabilities the slot does not offer, each reported once, in the
/// candidate's order.
///
/// Rule: every capability the session requires must be among the slot's
/// `technicalCapabilities`. Names are compared ignoring ASCII case and
/// surrounding whitespace; blank requirements are ignored.
fn missing_capabilities<'a>(slot: &Slot, candidate: &'a Candidate) -> Vec<&'a str> {
    let offered: Vec<String> = slot
        .technical_capabilities
        .iter()
        .map(|c| normalise(c))
        .collect();
    let mut seen: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    for required in &candidate.required_capabilities {
        let key = normalise(required);
        if key.is_empty() || offered.contains(&key) || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        missing.push(required.as_str());
    }
    missing
}

/// Rule (soft): with `theoreticalSlotsInMorning` on, a theoretical session in
/// a slot starting at or after `morningEnds` is allowed but penalised.
fn theoretical_in_afternoon(slot: &Slot, candidate: &Candidate, settings: &Settings) -> bool {
    settings.theoretical_slots_in_morning
        && candidate.is_theoretical
        && slot.start >= settings.morning_ends
}

/// Score of placing `candidate` into `slot`, or `None` when a hard
/// constraint forbids the pairing.
///
/// The score is the preference score (strongly preferred 4, preferred 3,
/// acceptable 2, not preferred 1) minus 1 for a theoretical session after the
/// morning when the morning rule is on; it is therefore never negative.
/// Hard constraints: non-assignable slot type, an overlapping `unavailable`
/// window, ending after `cannotPresentAfter` and a missing capability.
pub fn pair_score(slot: &Slot, candidate: &Candidate, settings: &Settings) -> Option<i64> {
    // Rule: break, lunch and networking slots never hold a session.
    if !slot.slot_type.is_assignable() {
        return None;
    }
    if ends_too_late(slot, candidate).is_some() {
        return None;
    }
    if !missing_capabilities(slot, candidate).is_empty() {
        return None;
    }
    // `score()` is `None` for an overlapping unavailable window.
    let base = preference_for(slot, candidate).score()?;
    let penalty = if theoretical_in_afternoon(slot, candidate, settings) {
        AFTERNOON_PENALTY
    } else {
        0
    };
    Some(base - penalty)
}

/// Every rule that placing `candidate` into `slot` by hand would break.
///
/// Hard conflicts (see [`Conflict::is_hard`]) are the ones [`crate::assign`]
/// never breaks; soft ones only lower the score. The list is ordered: slot
/// type, unavailable windows (in the candidate's order), `cannotPresentAfter`,
/// missing capabilities, theoretical-in-afternoon, not preferred. An empty
/// list means the placement breaks nothing.
pub fn check_manual(slot: &Slot, candidate: &Candidate, settings: &Settings) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    if !slot.slot_type.is_assignable() {
        conflicts.push(Conflict::NotAssignableSlotType {
            slot_type: slot.slot_type,
        });
    }
    let mut unavailable = false;
    for (window, _) in overlapping(slot, candidate) {
        if window.preference == PreferenceLevel::Unavailable {
            unavailable = true;
            conflicts.push(Conflict::Unavailable {
                window_start: window.start_time,
                window_end: window.end_time,
            });
        }
    }
    if let Some(limit) = ends_too_late(slot, candidate) {
        conflicts.push(Conflict::AfterCannotPresentAfter {
            slot_end: slot.end,
            cannot_present_after: limit,
        });
    }
    for capability in missing_capabilities(slot, candidate) {
        conflicts.push(Conflict::MissingCapability {
            capability: capability.to_owned(),
        });
    }
    if theoretical_in_afternoon(slot, candidate, settings) {
        conflicts.push(Conflict::TheoreticalInAfternoon {
            morning_ends: settings.morning_ends,
        });
    }
    // Only reported when the slot is not unavailable anyway.
    if !unavailable && preference_for(slot, candidate) == PreferenceLevel::NotPreferred {
        conflicts.push(Conflict::NotPreferred);
    }
    conflicts
}
