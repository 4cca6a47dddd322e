//! The outcome of each cell and the table of a run: per saga and victim, the rounds, the
//! effects lost and doubled, the mails sent again (at-least-once delivery: shown, not a
//! fault), the services started again after crashing in a broker loss's aftermath and the
//! longest recovery (victim back → saga complete).

use std::collections::BTreeMap;
use std::time::Duration;

pub struct Outcome {
    mid_saga: bool,
    lost: usize,
    doubled: usize,
    resent: usize,
    restarted: usize,
    recovery: Duration,
    failure: Option<String>,
}

impl Outcome {
    /// `mid_saga`: the saga was not complete when its victim died.
    pub fn counted(
        mid_saga: bool,
        lost: usize,
        doubled: usize,
        resent: usize,
        restarted: usize,
        recovery: Duration,
    ) -> Self {
        Self {
            mid_saga,
            lost,
            doubled,
            resent,
            restarted,
            recovery,
            failure: None,
        }
    }

    /// A cell that could not be run to its end (a request of the saga itself failed).
    pub fn failed(failure: String) -> Self {
        Self {
            lost: 0,
            doubled: 0,
            resent: 0,
            restarted: 0,
            recovery: Duration::ZERO,
            mid_saga: false,
            failure: Some(failure),
        }
    }

    pub fn line(&self) -> String {
        match &self.failure {
            Some(failure) => format!("FAILED: {failure}"),
            None => format!(
                "{}  lost {}  doubled {}  resent {}  restarted {}  recovered in {} ms",
                if self.mid_saga {
                    "mid-saga  "
                } else {
                    "after it  "
                },
                self.lost,
                self.doubled,
                self.resent,
                self.restarted,
                self.recovery.as_millis()
            ),
        }
    }
}

#[derive(Default)]
struct Row {
    rounds: usize,
    mid_saga: usize,
    lost: usize,
    doubled: usize,
    resent: usize,
    restarted: usize,
    failed: usize,
    longest: Duration,
}

#[derive(Default)]
pub struct Table {
    rows: BTreeMap<(String, String), Row>,
}

impl Table {
    pub fn record(&mut self, saga: &str, victim: &str, outcome: Outcome) {
        let row = self
            .rows
            .entry((saga.to_owned(), victim.to_owned()))
            .or_default();
        row.rounds += 1;
        row.mid_saga += usize::from(outcome.mid_saga);
        row.lost += outcome.lost;
        row.doubled += outcome.doubled;
        row.resent += outcome.resent;
        row.restarted += outcome.restarted;
        row.failed += usize::from(outcome.failure.is_some());
        row.longest = row.longest.max(outcome.recovery);
    }

    /// Nothing lost, nothing doubled, every cell run to its end.
    pub fn clean(&self) -> bool {
        self.rows
            .values()
            .all(|r| r.lost == 0 && r.doubled == 0 && r.failed == 0)
    }

    pub fn print(&self) {
        println!(
            "{:<18} {:<14} {:>6} {:>8} {:>6} {:>8} {:>7} {:>9} {:>7} {:>14}",
            "saga",
            "killed",
            "rounds",
            "mid-saga",
            "lost",
            "doubled",
            "resent",
            "restarted",
            "failed",
            "max recovery"
        );
        for ((saga, victim), row) in &self.rows {
            println!(
                "{saga:<18} {victim:<14} {:>6} {:>8} {:>6} {:>8} {:>7} {:>9} {:>7} {:>11} ms",
                row.rounds,
                row.mid_saga,
                row.lost,
                row.doubled,
                row.resent,
                row.restarted,
                row.failed,
                row.longest.as_millis()
            );
        }
    }
}
