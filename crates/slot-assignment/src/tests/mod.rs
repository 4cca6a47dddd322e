//! Tests of the slot assignment: named edge cases and rule checks here;
//! optimality against a brute-force solver and a realistic size in
//! [`optimality`].

mod optimality;

use std::collections::HashSet;

use chrono::NaiveTime;
use uuid::Uuid;

use crate::{
    assign, check_manual, pair_score, preference_for, Assignment, Candidate, Conflict,
    PreferenceLevel, PreferredTimeSlot, Reason, Settings, Slot, SlotType,
};

fn t(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time")
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn slot(n: i32, start: (u32, u32), end: (u32, u32), slot_type: SlotType) -> Slot {
    Slot {
        id: id(1000 + n as u128),
        slot_number: n,
        start: t(start.0, start.1),
        end: t(end.0, end.1),
        slot_type,
        technical_capabilities: Vec::new(),
    }
}

fn candidate(n: u128) -> Candidate {
    Candidate {
        session_id: id(n),
        speaker_id: id(500 + n),
        is_theoretical: false,
        preferences: Vec::new(),
        cannot_present_after: None,
        required_capabilities: Vec::new(),
    }
}

fn window(start: (u32, u32), end: (u32, u32), preference: PreferenceLevel) -> PreferredTimeSlot {
    PreferredTimeSlot {
        start_time: t(start.0, start.1),
        end_time: t(end.0, end.1),
        preference,
    }
}

fn morning_rule() -> Settings {
    Settings {
        theoretical_slots_in_morning: true,
        morning_ends: t(12, 0),
    }
}

/// Asserts that the assignment is well-formed: feasible, injective, covering
/// every candidate exactly once, with consistent scores and reasons.
fn assert_valid(slots: &[Slot], candidates: &[Candidate], settings: &Settings, a: &Assignment) {
    let slot_by_id = |sid: Uuid| slots.iter().find(|s| s.id == sid).expect("known slot");
    let cand_by_id = |cid: Uuid| {
        candidates
            .iter()
            .find(|c| c.session_id == cid)
            .expect("known")
    };
    let mut used_slots = HashSet::new();
    let mut seen_sessions = HashSet::new();
    for &(session, slot_id, score) in &a.pairs {
        assert!(used_slots.insert(slot_id), "slot used twice");
        assert!(seen_sessions.insert(session), "session placed twice");
        let (s, c) = (slot_by_id(slot_id), cand_by_id(session));
        assert!(
            check_manual(s, c, settings).iter().all(|x| !x.is_hard()),
            "hard constraint broken"
        );
        assert_eq!(pair_score(s, c, settings), Some(score));
    }
    for &(session, reason) in &a.unassigned {
        assert!(seen_sessions.insert(session), "session listed twice");
        let c = cand_by_id(session);
        let any_feasible = slots.iter().any(|s| pair_score(s, c, settings).is_some());
        assert_eq!(reason == Reason::SlotsExhausted, any_feasible);
    }
    assert_eq!(seen_sessions.len(), candidates.len());
    assert_eq!(a.total_score, a.pairs.iter().map(|p| p.2).sum::<i64>());
}

// ---------------------------------------------------------------- edge cases

#[test]
fn unavailable_is_never_used_even_as_the_only_slot() {
    let slots = [slot(1, (9, 0), (10, 0), SlotType::Theoretical)];
    let mut c = candidate(1);
    c.preferences = vec![window((8, 0), (12, 0), PreferenceLevel::Unavailable)];
    let a = assign(&slots, &[c.clone()], &Settings::default());
    assert!(a.pairs.is_empty());
    assert_eq!(a.unassigned, vec![(c.session_id, Reason::NoFeasibleSlot)]);
    assert_eq!(a.total_score, 0);
}

#[test]
fn unavailable_wins_over_a_longer_preferred_overlap() {
    let s = slot(1, (9, 0), (11, 0), SlotType::Practical);
    let mut c = candidate(1);
    c.preferences = vec![
        window((8, 0), (11, 0), PreferenceLevel::StronglyPreferred),
        window((10, 45), (12, 0), PreferenceLevel::Unavailable),
    ];
    assert_eq!(preference_for(&s, &c), PreferenceLevel::Unavailable);
    assert_eq!(pair_score(&s, &c, &Settings::default()), None);
}

#[test]
fn preference_comes_from_the_longest_overlapping_window() {
    let s = slot(1, (9, 0), (10, 0), SlotType::Practical);
    let mut c = candidate(1);
    c.preferences = vec![
        window((8, 0), (9, 15), PreferenceLevel::StronglyPreferred),
        window((9, 15), (12, 0), PreferenceLevel::NotPreferred),
    ];
    assert_eq!(preference_for(&s, &c), PreferenceLevel::NotPreferred);
    // Touching windows do not overlap; no overlap means acceptable.
    c.preferences = vec![window((10, 0), (11, 0), PreferenceLevel::Unavailable)];
    assert_eq!(preference_for(&s, &c), PreferenceLevel::Acceptable);
    // Equal overlap: the less favourable level, whatever the order.
    c.preferences = vec![
        window((8, 30), (9, 30), PreferenceLevel::StronglyPreferred),
        window((9, 30), (10, 30), PreferenceLevel::Preferred),
    ];
    assert_eq!(preference_for(&s, &c), PreferenceLevel::Preferred);
    c.preferences.reverse();
    assert_eq!(preference_for(&s, &c), PreferenceLevel::Preferred);
}

#[test]
fn cannot_present_after_is_respected() {
    let slots = [
        slot(1, (9, 0), (10, 0), SlotType::Theoretical),
        slot(2, (14, 0), (15, 0), SlotType::Theoretical),
        slot(3, (16, 0), (17, 0), SlotType::Theoretical),
    ];
    let mut c = candidate(1);
    c.preferences = vec![window((14, 0), (18, 0), PreferenceLevel::StronglyPreferred)];
    c.cannot_present_after = Some(t(15, 0));
    let a = assign(&slots, &[c.clone()], &Settings::default());
    // Ending exactly at the limit is allowed, later is not.
    assert_eq!(a.pairs, vec![(c.session_id, slots[1].id, 4)]);
    c.cannot_present_after = Some(t(14, 59));
    let a = assign(&slots, &[c.clone()], &Settings::default());
    assert_eq!(a.pairs, vec![(c.session_id, slots[0].id, 2)]);
}

#[test]
fn breaks_lunch_and_networking_are_never_assigned() {
    let slots = [
        slot(1, (10, 0), (10, 30), SlotType::Break),
        slot(2, (12, 0), (13, 0), SlotType::Lunch),
        slot(3, (17, 0), (18, 0), SlotType::Networking),
    ];
    let mut c = candidate(1);
    c.preferences = vec![window((8, 0), (20, 0), PreferenceLevel::StronglyPreferred)];
    let a = assign(&slots, &[c.clone()], &Settings::default());
    assert!(a.pairs.is_empty());
    assert_eq!(a.unassigned, vec![(c.session_id, Reason::NoFeasibleSlot)]);

    let mut with_talk = slots.to_vec();
    with_talk.push(slot(4, (14, 0), (15, 0), SlotType::Keynote));
    let cands = [c, candidate(2)];
    let a = assign(&with_talk, &cands, &Settings::default());
    assert_eq!(a.pairs.len(), 1);
    assert_eq!(a.pairs[0].1, with_talk[3].id);
    assert_eq!(a.unassigned[0].1, Reason::SlotsExhausted);
    assert_valid(&with_talk, &cands, &Settings::default(), &a);
}

#[test]
fn more_candidates_than_slots() {
    let slots = [
        slot(1, (9, 0), (10, 0), SlotType::Theoretical),
        slot(2, (10, 0), (11, 0), SlotType::Theoretical),
        slot(3, (11, 0), (12, 0), SlotType::Theoretical),
    ];
    let cands: Vec<Candidate> = (1..=5)
        .map(|n| {
            let mut c = candidate(n);
            let hour = 8 + n as u32; // candidates 1..=3 strongly prefer slots 1..=3
            c.preferences = vec![window(
                (hour, 0),
                (hour + 1, 0),
                PreferenceLevel::StronglyPreferred,
            )];
            c
        })
        .collect();
    let a = assign(&slots, &cands, &Settings::default());
    assert_eq!(a.pairs.len(), 3);
    assert_eq!(a.total_score, 12);
    for (i, pair) in a.pairs.iter().enumerate() {
        assert_eq!((pair.0, pair.1), (cands[i].session_id, slots[i].id));
    }
    assert_eq!(a.unassigned.len(), 2);
    assert!(a.unassigned.iter().all(|u| u.1 == Reason::SlotsExhausted));
    assert_valid(&slots, &cands, &Settings::default(), &a);
}

#[test]
fn more_slots_than_candidates() {
    let slots: Vec<Slot> = (1..=5)
        .map(|n| slot(n, (8 + n as u32, 0), (9 + n as u32, 0), SlotType::Practical))
        .collect();
    let mut c = candidate(1);
    c.preferences = vec![window((12, 0), (13, 0), PreferenceLevel::Preferred)];
    let a = assign(&slots, &[c.clone()], &Settings::default());
    assert_eq!(a.pairs, vec![(c.session_id, slots[3].id, 3)]);
    assert!(a.unassigned.is_empty());
}

#[test]
fn no_candidates_and_no_slots() {
    let slots = [slot(1, (9, 0), (10, 0), SlotType::Theoretical)];
    assert_eq!(
        assign(&slots, &[], &Settings::default()),
        Assignment::default()
    );
    let cands = [candidate(2), candidate(1)];
    let a = assign(&[], &cands, &Settings::default());
    assert!(a.pairs.is_empty());
    assert_eq!(
        a.unassigned,
        vec![
            (id(1), Reason::NoFeasibleSlot),
            (id(2), Reason::NoFeasibleSlot)
        ]
    );
}

#[test]
fn theoretical_morning_penalty_prefers_a_morning_slot() {
    let slots = [
        slot(1, (14, 0), (15, 0), SlotType::Theoretical),
        slot(2, (9, 0), (10, 0), SlotType::Theoretical),
    ];
    let mut theory = candidate(1);
    theory.is_theoretical = true;
    let practice = candidate(2);
    let cands = [theory.clone(), practice.clone()];
    let a = assign(&slots, &cands, &morning_rule());
    assert_eq!(a.slot_of(theory.session_id), Some(slots[1].id));
    assert_eq!(a.slot_of(practice.session_id), Some(slots[0].id));
    assert_eq!(a.total_score, 4);
    // Soft rule: an afternoon-only event still places the session, with 1 off.
    let a = assign(&slots[..1], &[theory.clone()], &morning_rule());
    assert_eq!(a.pairs, vec![(theory.session_id, slots[0].id, 1)]);
    // A slot starting exactly at the end of the morning is afternoon.
    let noon = slot(3, (12, 0), (13, 0), SlotType::Theoretical);
    assert_eq!(pair_score(&noon, &theory, &morning_rule()), Some(1));
    assert_eq!(pair_score(&noon, &theory, &Settings::default()), Some(2));
}

#[test]
fn more_assignments_beat_a_higher_score() {
    let slots = [
        slot(1, (9, 0), (10, 0), SlotType::Theoretical),
        slot(2, (15, 0), (16, 0), SlotType::Theoretical),
    ];
    let mut a_cand = candidate(1);
    a_cand.preferences = vec![
        window((9, 0), (10, 0), PreferenceLevel::StronglyPreferred),
        window((15, 0), (16, 0), PreferenceLevel::NotPreferred),
    ];
    let mut b_cand = candidate(2);
    b_cand.cannot_present_after = Some(t(12, 0));
    let a = assign(
        &slots,
        &[a_cand.clone(), b_cand.clone()],
        &Settings::default(),
    );
    assert_eq!(a.pairs.len(), 2);
    assert_eq!(a.slot_of(b_cand.session_id), Some(slots[0].id));
    assert_eq!(a.total_score, 3);
}

#[test]
fn capabilities_are_required_and_compared_loosely() {
    let mut s = slot(1, (9, 0), (10, 0), SlotType::Workshop);
    s.technical_capabilities = vec!["Projector".into(), "livestream".into()];
    let mut c = candidate(1);
    c.required_capabilities = vec![" projector".into(), "LiveStream".into()];
    assert_eq!(pair_score(&s, &c, &Settings::default()), Some(2));
    c.required_capabilities.push("whiteboard".into());
    c.required_capabilities.push("Whiteboard".into());
    assert_eq!(pair_score(&s, &c, &Settings::default()), None);
    assert_eq!(
        check_manual(&s, &c, &Settings::default()),
        vec![Conflict::MissingCapability {
            capability: "whiteboard".into()
        }]
    );
}

#[test]
fn check_manual_lists_every_broken_rule() {
    let mut s = slot(1, (13, 0), (14, 0), SlotType::Lunch);
    let mut c = candidate(1);
    c.is_theoretical = true;
    c.preferences = vec![window((12, 30), (15, 0), PreferenceLevel::Unavailable)];
    c.cannot_present_after = Some(t(13, 30));
    c.required_capabilities = vec!["projector".into()];
    let conflicts = check_manual(&s, &c, &morning_rule());
    assert_eq!(
        conflicts,
        vec![
            Conflict::NotAssignableSlotType {
                slot_type: SlotType::Lunch
            },
            Conflict::Unavailable {
                window_start: t(12, 30),
                window_end: t(15, 0)
            },
            Conflict::AfterCannotPresentAfter {
                slot_end: t(14, 0),
                cannot_present_after: t(13, 30)
            },
            Conflict::MissingCapability {
                capability: "projector".into()
            },
            Conflict::TheoreticalInAfternoon {
                morning_ends: t(12, 0)
            },
        ]
    );
    assert_eq!(conflicts.iter().filter(|x| x.is_hard()).count(), 4);

    s.slot_type = SlotType::Theoretical;
    s.technical_capabilities = vec!["projector".into()];
    c.cannot_present_after = None;
    c.preferences[0].preference = PreferenceLevel::NotPreferred;
    let conflicts = check_manual(&s, &c, &morning_rule());
    assert_eq!(
        conflicts,
        vec![
            Conflict::TheoreticalInAfternoon {
                morning_ends: t(12, 0)
            },
            Conflict::NotPreferred
        ]
    );
    assert!(conflicts.iter().all(|x| !x.is_hard()));
    assert!(check_manual(&s, &c, &Settings::default()).len() == 1);
}

#[test]
fn serde_uses_camel_case_fields_and_snake_case_values() {
    let mut c = candidate(1);
    c.preferences = vec![window((9, 0), (10, 0), PreferenceLevel::StronglyPreferred)];
    let json = serde_json::to_value(&c).expect("serialise");
    assert_eq!(json["preferences"][0]["preference"], "strongly_preferred");
    assert!(json.get("cannotPresentAfter").is_some());
    assert!(json.get("requiredCapabilities").is_some());
    let back: Candidate = serde_json::from_value(json).expect("deserialise");
    assert_eq!(back, c);

    let s: Slot = serde_json::from_str(
        r#"{"id":"00000000-0000-0000-0000-000000000001","slotNumber":1,
            "start":"09:00:00","end":"10:00:00","slotType":"break"}"#,
    )
    .expect("slot");
    assert_eq!(s.slot_type, SlotType::Break);
    let conflict = Conflict::AfterCannotPresentAfter {
        slot_end: t(14, 0),
        cannot_present_after: t(13, 0),
    };
    let json = serde_json::to_value(&conflict).expect("conflict");
    assert_eq!(json["kind"], "after_cannot_present_after");
    assert_eq!(json["cannotPresentAfter"], "13:00:00");
    let json = serde_json::to_value(assign(&[], &[candidate(1)], &Settings::default()))
        .expect("assignment");
    assert_eq!(json["unassigned"][0][1], "no_feasible_slot");
    assert_eq!(json["totalScore"], 0);
}
