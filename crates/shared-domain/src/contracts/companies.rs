//! Events published by the companies context on `batbern.companies.v1`.
//!
//! Consumers (speakers, partners, attendees, events) keep a company directory from these
//! three events; each carries the full directory-relevant state (the logo's public address
//! included), so a consumer never needs an earlier event to apply a later one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::IntegrationEvent;

/// A company was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyCreated {
    pub company_id: Uuid,
    pub name: String,
    pub display_name: String,
    pub is_partner: bool,
    pub industry: String,
    /// The public address of the company's current logo (the content saga sets it).
    #[serde(default)]
    pub logo_url: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A company's data changed; carries the state after the change and its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyUpdated {
    pub company_id: Uuid,
    pub name: String,
    pub display_name: String,
    pub is_partner: bool,
    pub industry: String,
    /// The public address of the company's current logo; none when it has no logo.
    #[serde(default)]
    pub logo_url: Option<String>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// A company was archived: it can no longer be chosen for new speakers, partners or attendees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyArchived {
    pub company_id: Uuid,
    pub archived_at: DateTime<Utc>,
}

macro_rules! company_event {
    ($ty:ty, $name:literal) => {
        impl IntegrationEvent for $ty {
            const EVENT_TYPE: &'static str = $name;
            const CONTEXT: &'static str = "companies";
            const AGGREGATE_TYPE: &'static str = "company";
            fn aggregate_id(&self) -> Uuid {
                self.company_id
            }
        }
    };
}

company_event!(CompanyCreated, "companies.company.created.v1");
company_event!(CompanyUpdated, "companies.company.updated.v1");
company_event!(CompanyArchived, "companies.company.archived.v1");
