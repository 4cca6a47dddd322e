//! Support for the black-box tests of the fleet: a fresh database per test with each
//! service's own role and schema, services started in-process on port 0 (or as processes
//! of their own, to be killed) against the real broker, dev tokens, raw Kafka reads, mail read back from the local SES endpoint, and
//! `eventually` for eventual consistency.

pub mod api;
pub mod broker;
pub mod bus;
pub mod content;
pub mod database;
pub mod logs;
pub mod mail;
pub mod otlp;
pub mod partners;
pub mod people;
pub mod planning;
pub mod processes;
pub mod sealed;
pub mod services;
pub mod upstream;
pub mod webhooks;

use std::future::Future;
use std::time::Duration;

pub use broker::{brokers, producer, publish, read_every_topic, read_topic, RawMessage, RawRecord};
pub use database::TestDb;
pub use services::{token, TestService};

/// Retries `check` until it returns `Some` or `deadline` passes; panics with `what` then.
pub async fn eventually<T, F, Fut>(deadline: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = tokio::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if start.elapsed() > deadline {
            panic!("not within {deadline:?}: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A unique, readable suffix for per-test names (topics, groups, databases).
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}
