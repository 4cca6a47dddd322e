//! The company directory read model that several services keep (speakers, partners,
//! attendees): a `company_directory` table in the service's schema, fed by
//! `CompanyCreated/Updated/Archived`, so a service can check a company (and show its logo)
//! without calling the companies service.

use chrono::{DateTime, Utc};
use event_bus::{Envelope, ReactionError};
use shared_domain::contracts::companies::{CompanyArchived, CompanyCreated, CompanyUpdated};
use shared_domain::IntegrationEvent;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::problem::ApiError;
use crate::read_model::await_known;

/// Applies a company event to the directory; `false` when `envelope` is no company event.
pub async fn apply_company_event(
    conn: &mut PgConnection,
    envelope: &Envelope,
) -> Result<bool, ReactionError> {
    match envelope.event_type.as_str() {
        CompanyCreated::EVENT_TYPE => {
            let c: CompanyCreated = envelope.decode()?;
            let entry = Entry {
                id: c.company_id,
                name: &c.name,
                display_name: &c.display_name,
                is_partner: c.is_partner,
                logo_url: c.logo_url.as_deref(),
                version: 1,
            };
            upsert(conn, &entry).await?;
        }
        CompanyUpdated::EVENT_TYPE => {
            let c: CompanyUpdated = envelope.decode()?;
            let entry = Entry {
                id: c.company_id,
                name: &c.name,
                display_name: &c.display_name,
                is_partner: c.is_partner,
                logo_url: c.logo_url.as_deref(),
                version: c.version,
            };
            upsert(conn, &entry).await?;
        }
        CompanyArchived::EVENT_TYPE => {
            let c: CompanyArchived = envelope.decode()?;
            archive(conn, c.company_id, c.archived_at).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// A company as the directory keeps it.
struct Entry<'a> {
    id: Uuid,
    name: &'a str,
    display_name: &'a str,
    is_partner: bool,
    /// The public address of its current logo.
    logo_url: Option<&'a str>,
    version: i64,
}

/// Inserts or refreshes a company; an older version never overwrites a newer one.
async fn upsert(conn: &mut PgConnection, c: &Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into company_directory (company_id, name, display_name, is_partner, logo_url, version) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict (company_id) do update set name = excluded.name, display_name = excluded.display_name, \
         is_partner = excluded.is_partner, logo_url = excluded.logo_url, version = excluded.version \
         where company_directory.version < excluded.version",
    )
    .bind(c.id)
    .bind(c.name)
    .bind(c.display_name)
    .bind(c.is_partner)
    .bind(c.logo_url)
    .bind(c.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a company archived (creating the entry if its creation was never seen).
async fn archive(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into company_directory (company_id, name, display_name, is_partner, archived_at, version) values ($1, '', '', false, $2, 0) \
         on conflict (company_id) do update set archived_at = excluded.archived_at",
    )
    .bind(id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// 422 on `field` unless `company_id` is a known, active company; a company created a
/// moment ago that the directory has not learned yet is waited for, then answered with
/// `not_yet_known` (see [`crate::read_model`]).
pub async fn require_company(pool: &PgPool, field: &str, company_id: Uuid) -> Result<(), ApiError> {
    let archived = await_known(field, "company", company_id, || {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "select archived_at from company_directory where company_id = $1",
        )
        .bind(company_id)
        .fetch_optional(pool)
    })
    .await?;
    match archived {
        None => Ok(()),
        Some(_) => Err(ApiError::invalid_field(
            field,
            format!("company {company_id} is archived"),
        )),
    }
}
