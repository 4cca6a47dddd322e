//! Consumer lag per partition (`bus_consumer_lag_messages`): the partition's end as this
//! member knows it, minus the offset it last applied there. The end is the larger of what
//! the consumer has received (known at once) and, from librdkafka's statistics every few
//! seconds, the high watermark of the latest fetch response and the client's next fetch
//! position, so a backlog larger than what was received shows too. A partition counts
//! from its assignment to this member, reported from its first received message
//! (everything before it was applied earlier), until it is revoked: another member
//! reports it then, and messages of it still in this member's hands no longer count here.
//! A partition assigned back to this member (a rebalance that changed nothing for it)
//! resumes from what the member knew, as the messages it still holds are neither received
//! again nor followed by statistics before they are applied.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::metrics;

#[derive(Default, Clone, Copy)]
struct Partition {
    applied: Option<i64>,
    end: i64,
}

/// Follows what one consumer applied and how far its partitions reach.
pub struct LagReporter {
    handler: &'static str,
    partitions: Mutex<Partitions>,
}

/// The partitions assigned to this member, and what it knew of those revoked from it.
#[derive(Default)]
struct Partitions {
    assigned: HashMap<(String, i32), Partition>,
    revoked: HashMap<(String, i32), Partition>,
}

impl LagReporter {
    /// A reporter for the consumer `handler`.
    pub fn new(handler: &'static str) -> Self {
        Self {
            handler,
            partitions: Mutex::new(Partitions::default()),
        }
    }

    /// The group assigned the partition to this member.
    pub fn assigned(&self, topic: &str, partition: i32) {
        let key = (topic.to_owned(), partition);
        let mut partitions = self.lock();
        let known = partitions.revoked.remove(&key).unwrap_or_default();
        partitions.assigned.entry(key).or_insert(known);
    }

    /// The message at `offset` has arrived and waits for its reaction.
    pub fn received(&self, topic: &str, partition: i32, offset: i64) {
        self.update(topic, partition, |entry| {
            entry.applied.get_or_insert(offset - 1);
            entry.end = entry.end.max(offset + 1);
        });
    }

    /// The message at `offset` is applied (or parked).
    pub fn applied(&self, topic: &str, partition: i32, offset: i64) {
        self.update(topic, partition, |entry| {
            entry.applied = Some(offset);
            entry.end = entry.end.max(offset + 1);
        });
    }

    /// A fetch response said the partition ends at `end`.
    pub fn end_seen(&self, topic: &str, partition: i32, end: i64) {
        self.update(topic, partition, |entry| entry.end = entry.end.max(end));
    }

    /// Changes what is known of the partition; reports it while it is assigned here.
    fn update(&self, topic: &str, partition: i32, change: impl FnOnce(&mut Partition)) {
        let key = (topic.to_owned(), partition);
        let mut partitions = self.lock();
        if let Some(entry) = partitions.assigned.get_mut(&key) {
            change(entry);
            self.report(topic, partition, *entry);
        } else if let Some(entry) = partitions.revoked.get_mut(&key) {
            change(entry);
        }
    }

    /// The partition went to another member.
    pub fn revoked(&self, topic: &str, partition: i32) {
        let key = (topic.to_owned(), partition);
        let mut partitions = self.lock();
        if let Some(known) = partitions.assigned.remove(&key) {
            partitions.revoked.insert(key, known);
        }
        let _ = metrics::CONSUMER_LAG.remove_label_values(&[
            self.handler,
            topic,
            &partition.to_string(),
        ]);
    }

    fn report(&self, topic: &str, partition: i32, state: Partition) {
        if let Some(applied) = state.applied {
            metrics::CONSUMER_LAG
                .with_label_values(&[self.handler, topic, &partition.to_string()])
                .set((state.end - applied - 1).max(0));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Partitions> {
        self.partitions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lag(topic: &str) -> i64 {
        metrics::CONSUMER_LAG
            .with_label_values(&["lag-test", topic, "0"])
            .get()
    }

    #[test]
    fn the_lag_is_the_known_end_minus_what_is_applied() {
        let reporter = LagReporter::new("lag-test");
        reporter.assigned("t1", 0);
        reporter.end_seen("t1", 0, 100);
        assert_eq!(lag("t1"), 0, "nothing received yet: nothing reported");
        reporter.received("t1", 0, 9);
        assert_eq!(lag("t1"), 91, "the watermark of the fetch response counts");
        reporter.applied("t1", 0, 9);
        assert_eq!(lag("t1"), 90);
        reporter.applied("t1", 0, 98);
        assert_eq!(lag("t1"), 1);
        reporter.received("t1", 0, 150);
        reporter.applied("t1", 0, 150);
        assert_eq!(lag("t1"), 0, "what arrives moves the end on");
        reporter.revoked("t1", 0);
        reporter.applied("t1", 0, 151);
        reporter.end_seen("t1", 0, 400);
        assert_eq!(
            lag("t1"),
            0,
            "a revoked partition is no longer reported here"
        );
        reporter.assigned("t1", 0);
        reporter.applied("t1", 0, 152);
        assert_eq!(
            lag("t1"),
            399 - 152,
            "assigned back, the partition resumes from what this member knew"
        );
        reporter.received("t2", 0, 1);
        assert_eq!(lag("t2"), 0, "a partition never assigned is not reported");
        reporter.assigned("t2", 0);
        reporter.received("t2", 0, 4);
        reporter.received("t2", 0, 29);
        assert_eq!(
            lag("t2"),
            26,
            "received messages count before any statistics, from the first one on"
        );
        reporter.applied("t2", 0, 4);
        assert_eq!(lag("t2"), 25);
    }
}
