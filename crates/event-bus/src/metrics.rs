//! Prometheus metrics of the bus, registered in the process-wide default registry that the
//! service's `/metrics` route renders.

use std::sync::LazyLock;

use prometheus::{register_int_counter_vec, register_int_gauge_vec, IntCounterVec, IntGaugeVec};

/// Outbox rows published, by schema.
pub static OUTBOX_PUBLISHED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "outbox_published_total",
        "Outbox rows published to the broker",
        &["schema"]
    )
    .unwrap()
});

/// Failed publish attempts (the batch stays unpublished and is retried).
pub static OUTBOX_PUBLISH_FAILURES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "outbox_publish_failures_total",
        "Failed outbox publish attempts",
        &["schema"]
    )
    .unwrap()
});

/// Outbox rows committed but not yet published.
pub static OUTBOX_LAG_ROWS: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "outbox_lag_rows",
        "Committed outbox rows not yet published",
        &["schema"]
    )
    .unwrap()
});

/// Age in milliseconds of the oldest unpublished outbox row.
pub static OUTBOX_LAG_MS: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "outbox_lag_milliseconds",
        "Age of the oldest unpublished outbox row",
        &["schema"]
    )
    .unwrap()
});

/// 1 while this process's relay leads: it holds its schema's relay lock and publishes;
/// 0 while it stands by for another instance's relay.
pub static OUTBOX_RELAY_LEADING: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "outbox_relay_leading",
        "1 while this instance's relay holds the schema's relay lock and publishes",
        &["schema"]
    )
    .unwrap()
});

/// Consumed messages by outcome (`applied`, `duplicate`, `dead_lettered`).
pub static CONSUMED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "bus_messages_consumed_total",
        "Consumed messages by outcome",
        &["handler", "outcome"]
    )
    .unwrap()
});

/// Failed reaction attempts (each retry counts).
pub static REACTION_FAILURES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "bus_reaction_failures_total",
        "Failed reaction attempts",
        &["handler"]
    )
    .unwrap()
});

/// Messages a consumer group has yet to apply, per topic and partition it holds.
pub static CONSUMER_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "bus_consumer_lag_messages",
        "Messages not yet applied by the consumer group, per assigned partition",
        &["handler", "topic", "partition"]
    )
    .unwrap()
});
