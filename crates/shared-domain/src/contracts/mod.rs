//! Integration-event contracts, one module per producing context.
//!
//! Compatibility rule: adding an optional field keeps a version; anything else is a new
//! `v<N>` type published side by side until every consumer has moved. Consumers ignore
//! unknown fields, so no payload type here denies them, and enum values travel as
//! [`Known`], so a new value reaches an older consumer as `Unknown` instead of failing it.

pub mod attendees;
pub mod catalog;
pub mod companies;
pub mod content;
pub mod events;
pub mod known;
pub mod partners;
pub mod sealed;
pub mod speakers;

pub use known::Known;
pub use sealed::{Address, Identity, Sealed};

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

/// A payload that travels on the bus. The type string follows
/// `<context>.<aggregate>.<past-tense>.v<N>` and the topic is `batbern.<context>.v1`.
pub trait IntegrationEvent: Serialize + DeserializeOwned + Send + Sync {
    /// The CloudEvents `type`, e.g. `companies.company.created.v1`.
    const EVENT_TYPE: &'static str;
    /// The producing bounded context, e.g. `companies`.
    const CONTEXT: &'static str;
    /// The aggregate kind, e.g. `company` (the outbox's `aggregate_type`).
    const AGGREGATE_TYPE: &'static str;

    /// The aggregate this event belongs to; it is the Kafka key, so order is per aggregate.
    fn aggregate_id(&self) -> Uuid;
}

/// The language of a person's mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    De,
    En,
}

/// The topic a context publishes on.
pub fn topic_of(context: &str) -> String {
    format!("batbern.{context}.v1")
}
