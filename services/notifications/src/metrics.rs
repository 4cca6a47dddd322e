//! Prometheus metrics of mail delivery, in the process-wide registry `/metrics` renders.

use std::sync::LazyLock;

use prometheus::{register_int_counter_vec, register_int_gauge, IntCounterVec, IntGauge};

/// Delivery attempts by outcome: `sent`, `retried` (failed, tried again later), `failed`
/// (out of attempts) and `suppressed` (the address bounced or complained meanwhile).
pub static DELIVERIES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "mail_deliveries_total",
        "Mail delivery attempts by outcome",
        &["outcome"]
    )
    .unwrap()
});

/// Events parked until a read model catches up, as of the last scheduler tick.
pub static PARKED_EVENTS: LazyLock<IntGauge> = LazyLock::new(|| {
    register_int_gauge!(
        "notifications_parked_events",
        "Events waiting for a read model to catch up"
    )
    .unwrap()
});
