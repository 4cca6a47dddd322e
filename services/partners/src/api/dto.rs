//! Request and response bodies of partners and contacts (camelCase JSON, unknown request
//! fields refused so typos do not pass silently).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::contact::{ContactFields, ContactLanguage};
use crate::domain::partner::{benefits, Benefit, PartnershipTier};
use crate::store::contacts::ContactRecord;
use crate::store::partners::PartnerRecord;

/// Body of `POST /api/v1/partners`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePartnerRequest {
    /// A known, not archived company without a partner yet.
    pub company_id: Uuid,
    pub partnership_level: PartnershipTier,
    pub partnership_start_date: NaiveDate,
    pub partnership_end_date: Option<NaiveDate>,
    /// Benefits added (`true`) or removed (`false`) against the tier's catalogue.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub benefit_overrides: BTreeMap<Benefit, bool>,
}

/// Body of `PATCH /api/v1/partners/{id}` (absent fields stay unchanged; `null` clears the
/// end date).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePartnerRequest {
    pub partnership_level: Option<PartnershipTier>,
    pub partnership_start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<NaiveDate>)]
    pub partnership_end_date: Option<Option<NaiveDate>>,
    #[schema(value_type = Option<Object>)]
    pub benefit_overrides: Option<BTreeMap<Benefit, bool>>,
}

/// A partner as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerResponse {
    pub id: Uuid,
    pub company_id: Uuid,
    /// The public address of the company's logo, once it has one.
    pub company_logo_url: Option<String>,
    pub partnership_level: PartnershipTier,
    pub partnership_start_date: NaiveDate,
    pub partnership_end_date: Option<NaiveDate>,
    /// True from the start date to the end date, both inclusive.
    pub is_active: bool,
    /// The tier's catalogue with this partner's overrides applied.
    pub benefits: Vec<Benefit>,
    #[schema(value_type = Object)]
    pub benefit_overrides: BTreeMap<Benefit, bool>,
    /// How much its topic votes count.
    pub vote_weight: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`.
    pub version: i64,
}

impl From<PartnerRecord> for PartnerResponse {
    fn from(p: PartnerRecord) -> Self {
        let tier = p.tier();
        PartnerResponse {
            id: p.id,
            company_id: p.company_id,
            company_logo_url: p.company_logo_url,
            partnership_level: tier,
            partnership_start_date: p.partnership_start_date,
            partnership_end_date: p.partnership_end_date,
            is_active: p.is_active,
            benefits: benefits(tier, &p.benefit_overrides.0),
            benefit_overrides: p.benefit_overrides.0,
            vote_weight: tier.vote_weight(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// One tier of the benefit catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TierResponse {
    pub tier: PartnershipTier,
    pub vote_weight: u32,
    pub benefits: Vec<Benefit>,
}

/// Query of `GET /api/v1/partners`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListPartnersQuery {
    pub company_id: Option<Uuid>,
    pub partnership_level: Option<PartnershipTier>,
    pub is_active: Option<bool>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Body of `POST /api/v1/partners/{id}/contacts`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactRequest {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// The contact's role in the company, e.g. `Head of Marketing`.
    pub role: String,
    pub language: ContactLanguage,
    /// At most one primary contact per partner: meeting invitations go to it.
    #[serde(default)]
    pub is_primary: bool,
}

impl From<ContactRequest> for ContactFields {
    fn from(r: ContactRequest) -> Self {
        ContactFields {
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            role: r.role,
            language: r.language,
            is_primary: r.is_primary,
        }
    }
}

/// Body of `PATCH /api/v1/partners/{id}/contacts/{contactId}` (absent fields unchanged).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateContactRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub language: Option<ContactLanguage>,
    pub is_primary: Option<bool>,
}

impl UpdateContactRequest {
    pub fn apply_to(self, c: ContactFields) -> ContactFields {
        ContactFields {
            first_name: self.first_name.unwrap_or(c.first_name),
            last_name: self.last_name.unwrap_or(c.last_name),
            email: self.email.unwrap_or(c.email),
            role: self.role.unwrap_or(c.role),
            language: self.language.unwrap_or(c.language),
            is_primary: self.is_primary.unwrap_or(c.is_primary),
        }
    }
}

/// A contact as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactResponse {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
    pub language: ContactLanguage,
    pub is_primary: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<ContactRecord> for ContactResponse {
    fn from(c: ContactRecord) -> Self {
        ContactResponse {
            id: c.id,
            partner_id: c.partner_id,
            language: *c.language,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            role: c.contact_role,
            is_primary: c.is_primary,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}
