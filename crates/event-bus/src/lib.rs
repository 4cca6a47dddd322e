//! Reliable domain events between BATbern services.
//!
//! * [`outbox::enqueue`] writes an event in the caller's transaction (the outbox is the
//!   source of truth; the broker is only transport);
//! * [`relay::Relay`] publishes committed outbox rows in order with an idempotent producer;
//! * [`consumer::Consumer`] applies each message at most once per handler through the
//!   [`inbox`] (inbox row and reaction in one transaction), retries, then parks it in
//!   `dead_letters`;
//! * [`workers::Workers`] supervises the relay, the consumer and other loops, restarting
//!   them and telling readiness which one is down, stalled or outside its group;
//! * [`trace`] carries the W3C trace context from requests through outbox rows and Kafka
//!   headers to the reactions they cause;
//! * [`dead_letters`] lists and replays parked messages; [`outbox::replay_since`]
//!   republishes history after a broker lost its data.
//!
//! Every function expects a connection whose `search_path` is the owning service's schema.

pub mod broker_losses;
pub mod consumer;
pub mod dead_letters;
pub mod envelope;
pub mod inbox;
pub mod kafka;
pub mod lag;
mod membership;
pub mod metrics;
pub mod outbox;
pub mod relay;
pub mod timeline;
pub mod trace;
pub mod wakeup;
pub mod workers;

pub use consumer::{Consumer, ConsumerSettings, EarlyMember};
pub use envelope::{Envelope, EventContext};
pub use inbox::{Reaction, ReactionError};
pub use kafka::{BusConfig, Topics};
pub use relay::{Relay, RelaySettings};
pub use workers::{Heartbeat, WorkerIssue, Workers};
