//! Exact assignment of sessions to slots via the Hungarian algorithm.
//!
//! The problem is a maximum-weight bipartite matching between candidates
//! (rows) and slots (columns). The weight of a feasible pairing is
//! `per_assignment + score`, where `per_assignment` exceeds the largest total
//! score any assignment can reach; so one more assigned session always beats
//! any gain in score, and among assignments of maximal size the total score
//! is maximal. Forbidden pairings weigh 0 and are dropped from the result.
//! The matrix is padded with zero-weight dummy rows or columns to a square,
//! which covers both more candidates than slots and more slots than
//! candidates.

use std::cmp::Ordering;

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;

use crate::preferences::pair_score;
use crate::{Assignment, Candidate, PreferenceLevel, Reason, Settings, Slot};

/// Canonical slot order: slot number, then start time, then id.
fn slot_order(a: &Slot, b: &Slot) -> Ordering {
    (a.slot_number, a.start, a.id).cmp(&(b.slot_number, b.start, b.id))
}

/// Canonical candidate order: session id, then speaker id.
fn candidate_order(a: &Candidate, b: &Candidate) -> Ordering {
    (a.session_id, a.speaker_id).cmp(&(b.session_id, b.speaker_id))
}

/// Assign candidates to slots, maximising first the number of assigned
/// sessions and then the total preference score, without breaking any hard
/// constraint (see [`pair_score`]).
///
/// Every candidate ends up either in `pairs` (one slot per session, one
/// session per slot) or in `unassigned` with a [`Reason`]. The result is
/// deterministic: inputs are put into a canonical order (slots by slot
/// number, start, id; candidates by session id, speaker id) before solving,
/// so the same slots and candidates always give the same assignment,
/// whatever order they are passed in.
pub fn assign(slots: &[Slot], candidates: &[Candidate], settings: &Settings) -> Assignment {
    let mut slots: Vec<&Slot> = slots.iter().collect();
    slots.sort_by(|a, b| slot_order(a, b));
    let mut candidates: Vec<&Candidate> = candidates.iter().collect();
    candidates.sort_by(|a, b| candidate_order(a, b));

    // scores[row][col]: score of candidate `row` in slot `col`, None if forbidden.
    let scores: Vec<Vec<Option<i64>>> = candidates
        .iter()
        .map(|candidate| {
            slots
                .iter()
                .map(|slot| pair_score(slot, candidate, settings))
                .collect()
        })
        .collect();

    let matched = solve(&scores, slots.len());

    let mut pairs = Vec::new();
    let mut unassigned = Vec::new();
    for (row, candidate) in candidates.iter().enumerate() {
        match matched[row] {
            Some((col, score)) => pairs.push((col, candidate.session_id, slots[col].id, score)),
            None => {
                // Rule: a candidate no slot is feasible for can never be
                // placed; otherwise the feasible slots went to others.
                let reason = if scores[row].iter().all(Option::is_none) {
                    Reason::NoFeasibleSlot
                } else {
                    Reason::SlotsExhausted
                };
                unassigned.push((candidate.session_id, reason));
            }
        }
    }
    // Slots are already canonically ordered, so ordering by column orders the
    // pairs by slot number (then start, id).
    pairs.sort_by_key(|&(col, ..)| col);
    unassigned.sort_by_key(|&(session, _)| session);

    let pairs: Vec<_> = pairs
        .into_iter()
        .map(|(_, session, slot, score)| (session, slot, score))
        .collect();
    let total_score = pairs.iter().map(|&(_, _, score)| score).sum();
    Assignment {
        pairs,
        total_score,
        unassigned,
    }
}

/// Solve the weighted matching for a `rows × columns` score table and return,
/// per row, the matched column and its score (`None` for unmatched rows).
fn solve(scores: &[Vec<Option<i64>>], columns: usize) -> Vec<Option<(usize, i64)>> {
    let rows = scores.len();
    let feasible_anywhere = scores.iter().flatten().any(Option::is_some);
    if !feasible_anywhere {
        return vec![None; rows];
    }
    // Weight of one assignment: larger than any possible total score, so the
    // number of assignments dominates the score. Scores lie in
    // 0..=MAX_SCORE and at most min(rows, columns) pairs are assigned.
    let max_pairs = i64::try_from(rows.min(columns)).expect("input size fits in i64");
    let per_assignment = PreferenceLevel::MAX_SCORE * max_pairs + 1;

    // Square matrix: rows beyond `rows` and columns beyond `columns` are
    // dummies with weight 0, as are forbidden pairings.
    let size = rows.max(columns);
    let weights = Matrix::from_fn(size, size, |(row, col)| {
        if row < rows && col < columns {
            scores[row][col].map_or(0, |score| per_assignment + score)
        } else {
            0
        }
    });
    let (_, row_to_col) = kuhn_munkres(&weights);

    (0..rows)
        .map(|row| {
            let col = row_to_col[row];
            // A forbidden (weight 0) or dummy partner means "unassigned".
            if col < columns {
                scores[row][col].map(|score| (col, score))
            } else {
                None
            }
        })
        .collect()
}
