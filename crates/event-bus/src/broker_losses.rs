//! Losses of every broker connection, as this process's producers see them.
//!
//! A consumer hears of such a loss only through its own queue, behind the messages it had
//! fetched before: it may apply those and commit their offsets, positions in a log the
//! broker may have lost, before it reads the error. A commit sent while the broker is away
//! waits for it, and a broker back without its log takes it into the new group, where the
//! next member would fetch past the new log's end. Producers hear of the loss at once (their
//! polling thread serves the error as it comes), so the consumer asks here before it
//! commits ([`crate::consumer`]).

use std::sync::atomic::{AtomicU64, Ordering};

use rdkafka::client::ClientContext;
use rdkafka::error::KafkaError;
use rdkafka::producer::FutureProducer;
use rdkafka::types::RDKafkaErrorCode;

static LOSSES: AtomicU64 = AtomicU64::new(0);

/// How many times a producer of this process saw every broker connection down.
pub fn seen() -> u64 {
    LOSSES.load(Ordering::SeqCst)
}

/// The context of the fleet's producers: librdkafka's global errors are logged as its
/// default context logs them, and a loss of every broker connection is counted.
pub struct CountingLosses;

impl ClientContext for CountingLosses {
    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            LOSSES.fetch_add(1, Ordering::SeqCst);
        }
        tracing::error!("librdkafka: {error}: {reason}");
    }
}

/// The fleet's producer type (relay and dead letters).
pub type Producer = FutureProducer<CountingLosses>;
