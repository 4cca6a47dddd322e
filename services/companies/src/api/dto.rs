//! Request and response bodies of the companies API (camelCase JSON, unknown request
//! fields refused so typos do not pass silently).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{Address, CompanyFields, SocialLinks};
use crate::store::{CompanyRecord, LogoColumns};

/// Body of `POST /api/v1/companies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCompanyRequest {
    /// Official name; unique regardless of case.
    pub name: String,
    /// Name shown in the UI; defaults to `name`.
    pub display_name: Option<String>,
    #[serde(default)]
    pub is_partner: bool,
    pub website: Option<String>,
    pub industry: String,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub employee_count: Option<i64>,
    pub headquarters: Option<Address>,
    pub description: Option<String>,
    #[serde(default)]
    pub social_links: SocialLinks,
}

impl From<CreateCompanyRequest> for CompanyFields {
    fn from(r: CreateCompanyRequest) -> Self {
        CompanyFields {
            display_name: r.display_name.unwrap_or_else(|| r.name.clone()),
            name: r.name,
            is_partner: r.is_partner,
            website: r.website,
            industry: r.industry,
            employee_count: r.employee_count,
            headquarters: r.headquarters,
            description: r.description,
            social_links: r.social_links,
        }
    }
}

/// Body of `PATCH /api/v1/companies/{id}` (JSON merge patch: absent = unchanged, `null` clears).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateCompanyRequest {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub is_partner: Option<bool>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    pub industry: Option<String>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub employee_count: Option<Option<i64>>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<Address>)]
    pub headquarters: Option<Option<Address>>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub social_links: Option<SocialLinks>,
}

impl UpdateCompanyRequest {
    /// The fields after applying this patch to `current`.
    pub fn apply_to(self, current: CompanyFields) -> CompanyFields {
        use service_kit::patch::apply;
        CompanyFields {
            name: self.name.unwrap_or(current.name),
            display_name: self.display_name.unwrap_or(current.display_name),
            is_partner: self.is_partner.unwrap_or(current.is_partner),
            website: apply(current.website, self.website),
            industry: self.industry.unwrap_or(current.industry),
            employee_count: apply(current.employee_count, self.employee_count),
            headquarters: apply(current.headquarters, self.headquarters),
            description: apply(current.description, self.description),
            social_links: self.social_links.unwrap_or(current.social_links),
        }
    }
}

/// The current logo (set by the content upload saga).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyLogo {
    /// The public address the logo is served from (also where `GET …/logo` redirects).
    pub url: String,
    pub file_id: Uuid,
    pub file_name: String,
    pub mime_type: String,
    pub file_size_bytes: i64,
    pub s3_key: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// A company as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyResponse {
    pub id: Uuid,
    pub name: String,
    pub display_name: String,
    pub is_partner: bool,
    pub logo: Option<CompanyLogo>,
    pub website: Option<String>,
    pub industry: String,
    pub employee_count: Option<i64>,
    pub headquarters: Option<Address>,
    pub description: Option<String>,
    pub social_links: SocialLinks,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
    /// Set once archived; archived companies are hidden from lists by default.
    pub archived_at: Option<DateTime<Utc>>,
    /// The version, also sent as the `ETag` header.
    pub version: i64,
}

impl CompanyLogo {
    /// The logo of the joined current-logo columns; none when the company has no logo.
    fn of(l: LogoColumns) -> Option<Self> {
        Some(CompanyLogo {
            url: l.logo_public_url?,
            file_id: l.logo_file_id?,
            file_name: l.logo_file_name?,
            mime_type: l.logo_mime_type?,
            file_size_bytes: l.logo_file_size_bytes?,
            s3_key: l.logo_s3_key?,
            uploaded_at: l.logo_uploaded_at?,
            uploaded_by: l.logo_uploaded_by?,
        })
    }
}

impl From<CompanyRecord> for CompanyResponse {
    fn from(r: CompanyRecord) -> Self {
        let logo = CompanyLogo::of(r.logo);
        CompanyResponse {
            id: r.id,
            name: r.name,
            display_name: r.display_name,
            is_partner: r.is_partner,
            logo,
            website: r.website,
            industry: r.industry,
            employee_count: r.employee_count.map(i64::from),
            headquarters: r.headquarters.map(|a| a.0),
            description: r.description,
            social_links: r.social_links.0,
            created_at: r.created_at,
            updated_at: r.updated_at,
            created_by: r.created_by,
            archived_at: r.archived_at,
            version: r.version,
        }
    }
}

/// Query of `GET /api/v1/companies`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCompaniesQuery {
    /// Case-insensitive search in name and display name.
    pub q: Option<String>,
    pub is_partner: Option<bool>,
    /// Exact industry, case-insensitive.
    pub industry: Option<String>,
    /// Include archived companies (default false).
    pub include_archived: Option<bool>,
    /// Items per page, 1–100 (default 20).
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}
