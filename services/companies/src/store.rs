//! Persistence of companies (schema `companies`). Functions that take a connection run
//! inside the caller's transaction, so state and outbox rows commit together.

use chrono::{DateTime, Utc};
use shared_domain::Valid;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Address, CompanyError, CompanyFields, SocialLinks};

pub mod logos;

/// A company row with its current logo, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompanyRecord {
    pub id: Uuid,
    pub name: String,
    pub display_name: String,
    pub is_partner: bool,
    pub website: Option<String>,
    pub industry: String,
    pub employee_count: Option<i32>,
    pub headquarters: Option<Json<Address>>,
    pub description: Option<String>,
    pub social_links: Json<SocialLinks>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i64,
    #[sqlx(flatten)]
    pub logo: LogoColumns,
}

/// The current logo's columns (all null when the company has none).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogoColumns {
    pub logo_file_id: Option<Uuid>,
    pub logo_file_name: Option<String>,
    pub logo_mime_type: Option<String>,
    pub logo_file_size_bytes: Option<i64>,
    pub logo_s3_key: Option<String>,
    pub logo_uploaded_at: Option<DateTime<Utc>>,
    pub logo_uploaded_by: Option<String>,
    pub logo_public_url: Option<String>,
}

impl CompanyRecord {
    /// The editable fields as currently stored.
    pub fn fields(&self) -> CompanyFields {
        CompanyFields {
            name: self.name.clone(),
            display_name: self.display_name.clone(),
            is_partner: self.is_partner,
            website: self.website.clone(),
            industry: self.industry.clone(),
            employee_count: self.employee_count.map(i64::from),
            headquarters: self.headquarters.as_ref().map(|a| a.0.clone()),
            description: self.description.clone(),
            social_links: self.social_links.0.clone(),
        }
    }

    /// The public address of the current logo, if the company has one.
    pub fn logo_url(&self) -> Option<String> {
        self.logo.logo_public_url.clone()
    }
}

const SELECT: &str = "select c.id, c.name, c.display_name, c.is_partner, c.website, c.industry, c.employee_count, \
    c.headquarters, c.description, c.social_links, c.created_by, c.created_at, c.updated_at, c.archived_at, c.version, \
    l.file_id as logo_file_id, l.file_name as logo_file_name, l.mime_type as logo_mime_type, \
    l.file_size_bytes as logo_file_size_bytes, l.s3_key as logo_s3_key, l.uploaded_at as logo_uploaded_at, \
    l.uploaded_by as logo_uploaded_by, l.public_url as logo_public_url \
    from companies c left join company_logos l on l.company_id = c.id and l.is_current";

/// Inserts a validated company; a taken name is [`CompanyError::NameTaken`].
pub async fn insert_company(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &Valid<CompanyFields>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), CompanyError>, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into companies (id, name, display_name, is_partner, website, industry, employee_count, headquarters, \
         description, social_links, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) on conflict (lower(name)) do nothing",
    )
    .bind(id)
    .bind(&fields.name)
    .bind(&fields.display_name)
    .bind(fields.is_partner)
    .bind(&fields.website)
    .bind(&fields.industry)
    .bind(fields.employee_count.map(|n| n as i32))
    .bind(fields.headquarters.as_ref().map(Json))
    .bind(&fields.description)
    .bind(Json(&fields.social_links))
    .bind(created_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    name_taken(conn, &fields.name).await
}

async fn name_taken(
    conn: &mut PgConnection,
    name: &str,
) -> Result<Result<(), CompanyError>, sqlx::Error> {
    let existing_id: Uuid =
        sqlx::query_scalar("select id from companies where lower(name) = lower($1)")
            .bind(name)
            .fetch_one(conn)
            .await?;
    Ok(Err(CompanyError::NameTaken {
        name: name.to_owned(),
        existing_id: Some(existing_id),
    }))
}

/// Reads one company.
pub async fn fetch_company(pool: &PgPool, id: Uuid) -> Result<Option<CompanyRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} where c.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Reads one company and locks it for the rest of the transaction.
pub async fn lock_company(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<CompanyRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} where c.id = $1 for update of c"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Writes new fields and bumps the version; a taken name is [`CompanyError::NameTaken`].
pub async fn update_company(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &Valid<CompanyFields>,
    now: DateTime<Utc>,
) -> Result<Result<i64, CompanyError>, sqlx::Error> {
    let taken: Option<Uuid> =
        sqlx::query_scalar("select id from companies where lower(name) = lower($1) and id <> $2")
            .bind(&fields.name)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(existing_id) = taken {
        return Ok(Err(CompanyError::NameTaken {
            name: fields.name.clone(),
            existing_id: Some(existing_id),
        }));
    }
    let version = sqlx::query_scalar(
        "update companies set name = $2, display_name = $3, is_partner = $4, website = $5, industry = $6, \
         employee_count = $7, headquarters = $8, description = $9, social_links = $10, updated_at = $11, \
         version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(&fields.name)
    .bind(&fields.display_name)
    .bind(fields.is_partner)
    .bind(&fields.website)
    .bind(&fields.industry)
    .bind(fields.employee_count.map(|n| n as i32))
    .bind(fields.headquarters.as_ref().map(Json))
    .bind(&fields.description)
    .bind(Json(&fields.social_links))
    .bind(now)
    .fetch_one(conn)
    .await;
    match version {
        Ok(version) => Ok(Ok(version)),
        // A concurrent rename to the same name committed between the check and the update.
        Err(e)
            if service_kit::problem::violated_constraint(&e) == Some("companies_name_unique") =>
        {
            Ok(Err(CompanyError::NameTaken {
                name: fields.name.clone(),
                existing_id: None,
            }))
        }
        Err(e) => Err(e),
    }
}

/// Marks a company archived and bumps its version; returns the new version.
pub async fn archive_company(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("update companies set archived_at = $2, updated_at = $2, version = version + 1 where id = $1 returning version")
        .bind(id)
        .bind(now)
        .fetch_one(conn)
        .await
}

/// Sets a company's partner flag and bumps its version; returns the new version.
pub async fn set_partner(
    conn: &mut PgConnection,
    id: Uuid,
    is_partner: bool,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update companies set is_partner = $2, updated_at = greatest(updated_at, $3), version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(is_partner)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Records that the company's logo changed at `at`: bumps the version; returns it.
pub async fn touch_logo(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update companies set updated_at = greatest(updated_at, $2), version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    /// Case-insensitive substring of name or display name.
    pub search: Option<String>,
    pub is_partner: Option<bool>,
    /// Case-insensitive industry match.
    pub industry: Option<String>,
    pub include_archived: bool,
}

/// The keyset of the list order: lower-cased name, then id.
pub type ListKey = (String, Uuid);

/// One page of companies ordered by name (case-insensitive), then id.
pub async fn list_companies(
    pool: &PgPool,
    filter: &CompanyFilter,
    after: Option<&ListKey>,
    limit: i64,
) -> Result<Vec<CompanyRecord>, sqlx::Error> {
    let pattern = filter
        .search
        .as_ref()
        .map(|s| format!("%{}%", escape_like(&s.to_lowercase())));
    sqlx::query_as(&format!(
        "{SELECT} where ($1::text is null or lower(c.name) like $1 or lower(c.display_name) like $1) \
         and ($2::boolean is null or c.is_partner = $2) \
         and ($3::text is null or lower(c.industry) = lower($3)) \
         and ($4 or c.archived_at is null) \
         and ($5::text is null or (lower(c.name), c.id) > ($5, $6)) \
         order by lower(c.name), c.id limit $7"
    ))
    .bind(pattern)
    .bind(filter.is_partner)
    .bind(&filter.industry)
    .bind(filter.include_archived)
    .bind(after.map(|k| k.0.as_str()))
    .bind(after.map(|k| k.1))
    .bind(limit)
    .fetch_all(pool)
    .await
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// What the companies schema's unique constraints mean to a client that runs into one.
pub static CONSTRAINTS: &[service_kit::problem::ConstraintAnswer] = &[
    service_kit::problem::ConstraintAnswer {
        constraint: "companies_name_unique",
        field: "name",
        message: "another company has this name",
    },
    service_kit::problem::ConstraintAnswer {
        constraint: "company_logos_one_current",
        field: "logo",
        message: "the company has a current logo already",
    },
    service_kit::problem::ConstraintAnswer {
        constraint: "company_logos_file_unique",
        field: "logo",
        message: "this file is recorded as a logo already",
    },
];
