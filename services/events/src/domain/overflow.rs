//! Overflow selection: when accepted sessions outnumber the talk slots, the speakers with the
//! most net organizer approval take the slots; ties go to the better topic fit, then to the
//! lower speaker id so the outcome is deterministic.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Validator};
use utoipa::ToSchema;
use uuid::Uuid;

use super::EventError;

/// An organizer's vote on an overflow speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteType {
    Approve,
    Reject,
    Abstain,
}

/// A speaker competing for a slot, with the votes cast on them.
#[derive(Debug, Clone, PartialEq)]
pub struct OverflowCandidate {
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    pub votes: Vec<VoteType>,
    /// 0–100: how well the session fits the event's topic.
    pub topic_fit_score: f64,
}

impl OverflowCandidate {
    /// Approvals minus rejections (abstentions count for nothing).
    pub fn net_votes(&self) -> i64 {
        self.votes
            .iter()
            .map(|v| match v {
                VoteType::Approve => 1,
                VoteType::Reject => -1,
                VoteType::Abstain => 0,
            })
            .sum()
    }
}

/// Checks how voting is asked to open: a deadline in the future (and in the years the
/// platform plans for), and topic-fit scores between 0 and 100.
pub fn check_opening(
    voting_deadline: DateTime<Utc>,
    topic_fit_scores: impl IntoIterator<Item = f64>,
    now: DateTime<Utc>,
) -> Result<(), Vec<FieldError>> {
    let mut v = Validator::new();
    if v.plausible_time("votingDeadline", voting_deadline) && voting_deadline <= now {
        v.reject("votingDeadline", "must be in the future");
    }
    for (index, score) in topic_fit_scores.into_iter().enumerate() {
        if !(0.0..=100.0).contains(&score) {
            v.reject(
                &format!("topicFitScores[{index}].score"),
                "must be between 0 and 100",
            );
        }
    }
    v.finish()
}

/// Whether voting may open for `seats` talk slots among the sessions led by `leads`: there
/// must be slots, more accepted sessions than slots, and no speaker leading two of them.
pub fn ensure_overflow(seats: usize, leads: &[Uuid]) -> Result<(), EventError> {
    if seats == 0 {
        return Err(EventError::Conflict(
            "the event has no talk slots yet; generate its slot grid first".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = leads.iter().find(|id| !seen.insert(**id)) {
        return Err(EventError::Conflict(format!(
            "speaker {twice} leads more than one accepted session; decide between them first"
        )));
    }
    if leads.len() <= seats {
        return Err(EventError::Conflict(format!(
            "no overflow: {} accepted sessions fit {seats} talk slots",
            leads.len()
        )));
    }
    Ok(())
}

/// Splits `candidates` into the `seats` selected ones and the declined rest.
pub fn select(
    mut candidates: Vec<OverflowCandidate>,
    seats: usize,
) -> (Vec<OverflowCandidate>, Vec<OverflowCandidate>) {
    candidates.sort_by(|a, b| {
        b.net_votes()
            .cmp(&a.net_votes())
            .then(b.topic_fit_score.total_cmp(&a.topic_fit_score))
            .then(a.speaker_id.cmp(&b.speaker_id))
    });
    let declined = candidates.split_off(seats.min(candidates.len()));
    (candidates, declined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use VoteType::*;

    #[test]
    fn voting_opens_only_when_accepted_sessions_outnumber_the_slots() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert!(ensure_overflow(0, &[a, b]).is_err());
        assert!(ensure_overflow(2, &[a, b]).is_err());
        assert!(ensure_overflow(2, &[a, b, a]).is_err(), "a leads twice");
        assert!(ensure_overflow(2, &[a, b, c]).is_ok());
    }

    fn candidate(n: u128, votes: Vec<VoteType>, fit: f64) -> OverflowCandidate {
        OverflowCandidate {
            speaker_id: Uuid::from_u128(n),
            session_id: Uuid::from_u128(100 + n),
            votes,
            topic_fit_score: fit,
        }
    }

    #[test]
    fn votes_decide_then_topic_fit_then_id() {
        let (selected, declined) = select(
            vec![
                candidate(1, vec![Approve, Reject], 90.0),
                candidate(2, vec![Approve, Approve], 10.0),
                candidate(3, vec![Approve, Abstain], 50.0),
                candidate(4, vec![Approve], 50.0),
                candidate(5, vec![Reject], 99.0),
            ],
            3,
        );
        let ids: Vec<u128> = selected.iter().map(|c| c.speaker_id.as_u128()).collect();
        assert_eq!(ids, [2, 3, 4]);
        let declined: Vec<u128> = declined.iter().map(|c| c.speaker_id.as_u128()).collect();
        assert_eq!(declined, [1, 5]);
    }

    #[test]
    fn more_seats_than_candidates_selects_everyone() {
        let (selected, declined) = select(vec![candidate(1, vec![], 0.0)], 4);
        assert_eq!(selected.len(), 1);
        assert!(declined.is_empty());
    }
}
