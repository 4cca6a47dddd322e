//! A consumer's place in its group: rebalance callbacks tell the heartbeat whether
//! partitions are assigned and since when none are; statistics tell the lag reporter how far
//! partitions reach (the broker's high watermark, or the client's fetch position where that
//! is further).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::statistics::Statistics;

use crate::lag::LagReporter;
use crate::workers::Heartbeat;

/// Follows the group membership of a consumer: rebalance callbacks tell the heartbeat
/// whether partitions are assigned, and since when none are.
pub struct GroupMembership {
    /// The heartbeat of the worker running the member; a member may start joining before
    /// that worker runs ([`crate::consumer::EarlyMember`]).
    heartbeat: OnceLock<Heartbeat>,
    lag: Arc<LagReporter>,
    unassigned_since: Mutex<Option<Instant>>,
}

impl GroupMembership {
    /// Membership of a consumer that has not joined yet.
    pub fn new(lag: Arc<LagReporter>) -> Self {
        Self {
            heartbeat: OnceLock::new(),
            lag,
            unassigned_since: Mutex::new(Some(Instant::now())),
        }
    }

    /// From now on tells `heartbeat` whether the member holds an assignment.
    pub fn attach(&self, heartbeat: Heartbeat) {
        heartbeat.set_joined(self.unassigned_for().is_none());
        // A member serves one worker run; a second attach keeps the first heartbeat.
        let _ = self.heartbeat.set(heartbeat);
    }

    fn set_joined(&self, joined: bool) {
        if let Some(heartbeat) = self.heartbeat.get() {
            heartbeat.set_joined(joined);
        }
    }

    /// How long the consumer has been without an assignment, if it has none.
    pub fn unassigned_for(&self) -> Option<Duration> {
        let since = self
            .unassigned_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        since.map(|at| at.elapsed())
    }
}

impl ClientContext for GroupMembership {
    fn stats(&self, statistics: Statistics) {
        for (topic, stats) in &statistics.topics {
            for (partition, stats) in &stats.partitions {
                // The client's own fetch position counts too: it covers what was fetched
                // and waits in the client's queue even where the broker's reported
                // watermark falls behind.
                let end = stats.hi_offset.max(stats.next_offset);
                if *partition >= 0 && end >= 0 {
                    self.lag.end_seen(topic, *partition, end);
                }
            }
        }
    }
}

impl ConsumerContext for GroupMembership {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let mut since = self
            .unassigned_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match rebalance {
            // An empty assignment (more members than partitions) is membership too.
            Rebalance::Assign(partitions) => {
                tracing::info!(
                    partitions = partitions.count(),
                    "consumer group assignment received"
                );
                for partition in partitions.elements() {
                    self.lag.assigned(partition.topic(), partition.partition());
                }
                *since = None;
                self.set_joined(true);
            }
            Rebalance::Revoke(partitions) => {
                for partition in partitions.elements() {
                    self.lag.revoked(partition.topic(), partition.partition());
                }
                since.get_or_insert_with(Instant::now);
                self.set_joined(false);
            }
            Rebalance::Error(error) => tracing::warn!(%error, "consumer group rebalance failed"),
        }
    }
}
