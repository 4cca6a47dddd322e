//! Optimality of [`assign`] against an exhaustive solver on random small
//! cases, and a realistic event size.

use chrono::NaiveTime;
use uuid::Uuid;

use super::{assert_valid, morning_rule, slot, t};
use crate::{
    assign, check_manual, pair_score, preference_for, Candidate, Conflict, PreferenceLevel,
    PreferredTimeSlot, Reason, Settings, Slot, SlotType,
};

/// Number of random cases compared with the brute-force solver.
const RANDOM_CASES: usize = 400;

// ------------------------------------------------------------ realistic size

#[test]
fn realistic_event_with_thirty_candidates() {
    let mut rng = Rng(0x5EED_BA7B_E2A0);
    let starts = [
        (9, 0),
        (10, 0),
        (11, 0),
        (13, 30),
        (14, 30),
        (15, 30),
        (16, 30),
        (17, 30),
    ];
    let slots: Vec<Slot> = starts
        .iter()
        .enumerate()
        .map(|(i, &(h, m))| {
            let kind = if i % 3 == 2 {
                SlotType::Practical
            } else {
                SlotType::Theoretical
            };
            let mut s = slot(i as i32 + 1, (h, m), (h + 1, m), kind);
            s.technical_capabilities = CAPABILITIES.iter().map(|c| c.to_string()).collect();
            s
        })
        .collect();
    let cands: Vec<Candidate> = (0..30).map(|n| random_candidate(&mut rng, n)).collect();
    let settings = morning_rule();
    let started = std::time::Instant::now();
    let a = assign(&slots, &cands, &settings);
    println!("8 slots x 30 candidates solved in {:?}", started.elapsed());
    assert_eq!(a.pairs.len(), 8);
    assert_eq!(a.unassigned.len(), 22);
    assert_valid(&slots, &cands, &settings, &a);
    // Each slot scores at most its best feasible candidate.
    let bound: i64 = slots
        .iter()
        .map(|s| {
            cands
                .iter()
                .filter_map(|c| pair_score(s, c, &settings))
                .max()
                .unwrap_or(0)
        })
        .sum();
    assert!(a.total_score <= bound);
}

// -------------------------------------------------------- brute-force optimum

/// Small deterministic PRNG (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const LEVELS: [PreferenceLevel; 5] = [
    PreferenceLevel::StronglyPreferred,
    PreferenceLevel::Preferred,
    PreferenceLevel::Acceptable,
    PreferenceLevel::NotPreferred,
    PreferenceLevel::Unavailable,
];
const TYPES: [SlotType; 7] = [
    SlotType::Theoretical,
    SlotType::Practical,
    SlotType::Keynote,
    SlotType::Workshop,
    SlotType::Break,
    SlotType::Lunch,
    SlotType::Networking,
];
const CAPABILITIES: [&str; 3] = ["projector", "livestream", "whiteboard"];

fn random_time(rng: &mut Rng, from_hour: u64, hours: u64) -> NaiveTime {
    t(
        (from_hour + rng.below(hours)) as u32,
        15 * rng.below(4) as u32,
    )
}

fn random_slot(rng: &mut Rng, n: i32) -> Slot {
    let start = random_time(rng, 8, 10);
    let minutes = [30, 45, 60, 90][rng.below(4) as usize];
    let kind = if rng.chance(75) {
        TYPES[rng.below(4) as usize]
    } else {
        TYPES[4 + rng.below(3) as usize]
    };
    Slot {
        id: Uuid::from_u128(u128::from(rng.next())),
        slot_number: n,
        start,
        end: start + chrono::TimeDelta::minutes(minutes),
        slot_type: kind,
        technical_capabilities: CAPABILITIES
            .iter()
            .filter(|_| rng.chance(60))
            .map(|c| c.to_string())
            .collect(),
    }
}

fn random_candidate(rng: &mut Rng, n: u128) -> Candidate {
    let preferences = (0..rng.below(4))
        .map(|_| {
            let start = random_time(rng, 8, 10);
            let end = start + chrono::TimeDelta::minutes(60 * (1 + rng.below(4) as i64));
            let level = if rng.chance(15) {
                PreferenceLevel::Unavailable
            } else {
                LEVELS[rng.below(4) as usize]
            };
            PreferredTimeSlot {
                start_time: start,
                end_time: end,
                preference: level,
            }
        })
        .collect();
    Candidate {
        session_id: Uuid::from_u128((u128::from(rng.next()) << 8) | n),
        speaker_id: Uuid::from_u128(n),
        is_theoretical: rng.chance(50),
        preferences,
        cannot_present_after: rng.chance(25).then(|| random_time(rng, 10, 9)),
        required_capabilities: CAPABILITIES
            .iter()
            .filter(|_| rng.chance(15))
            .map(|c| c.to_string())
            .collect(),
    }
}

/// Exhaustive optimum over all injective partial assignments: maximal
/// (number assigned, total score). Feasibility and score are derived from
/// `check_manual` and `preference_for`, independently of `pair_score`.
fn brute_force(slots: &[Slot], cands: &[Candidate], settings: &Settings) -> (usize, i64) {
    let table: Vec<Vec<Option<i64>>> = cands
        .iter()
        .map(|c| {
            slots
                .iter()
                .map(|s| {
                    let conflicts = check_manual(s, c, settings);
                    if conflicts.iter().any(Conflict::is_hard) {
                        return None;
                    }
                    let penalty = conflicts
                        .iter()
                        .any(|x| matches!(x, Conflict::TheoreticalInAfternoon { .. }));
                    Some(preference_for(s, c).score().expect("available") - i64::from(penalty))
                })
                .collect()
        })
        .collect();

    fn search(
        table: &[Vec<Option<i64>>],
        row: usize,
        used: u32,
        acc: (usize, i64),
        best: &mut (usize, i64),
    ) {
        if row == table.len() {
            *best = (*best).max(acc);
            return;
        }
        search(table, row + 1, used, acc, best);
        for (col, score) in table[row].iter().enumerate() {
            if let Some(score) = score {
                if used & (1 << col) == 0 {
                    search(
                        table,
                        row + 1,
                        used | (1 << col),
                        (acc.0 + 1, acc.1 + score),
                        best,
                    );
                }
            }
        }
    }
    let mut best = (0, 0);
    search(&table, 0, 0, (0, 0), &mut best);
    best
}

#[test]
fn matches_brute_force_on_random_small_cases() {
    let mut rng = Rng(20_240_917);
    let mut nontrivial = 0;
    for case in 0..RANDOM_CASES {
        let slots: Vec<Slot> = (0..rng.below(7))
            .map(|n| random_slot(&mut rng, n as i32))
            .collect();
        let cands: Vec<Candidate> = (0..rng.below(8))
            .map(|n| random_candidate(&mut rng, n as u128))
            .collect();
        let settings = Settings {
            theoretical_slots_in_morning: rng.chance(50),
            morning_ends: t(12 + rng.below(2) as u32, 0),
        };
        let a = assign(&slots, &cands, &settings);
        assert_valid(&slots, &cands, &settings, &a);
        let expected = brute_force(&slots, &cands, &settings);
        assert_eq!((a.pairs.len(), a.total_score), expected, "case {case}");
        if expected.0 >= 2 && a.unassigned.iter().any(|u| u.1 == Reason::SlotsExhausted) {
            nontrivial += 1;
        }

        // Same input in another order gives the same output.
        let rev_slots: Vec<Slot> = slots.iter().rev().cloned().collect();
        let rev_cands: Vec<Candidate> = cands.iter().rev().cloned().collect();
        assert_eq!(
            assign(&rev_slots, &rev_cands, &settings),
            a,
            "case {case} order"
        );

        // The solver's score agrees with check_manual on every pairing.
        for s in &slots {
            for c in &cands {
                let hard = check_manual(s, c, &settings).iter().any(Conflict::is_hard);
                assert_eq!(pair_score(s, c, &settings).is_none(), hard);
            }
        }
    }
    println!("{RANDOM_CASES} random cases matched brute force ({nontrivial} with contention)");
    assert!(
        nontrivial > RANDOM_CASES / 10,
        "random cases too easy: {nontrivial}"
    );
}
