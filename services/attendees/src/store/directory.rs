//! The company directory read model, fed by the companies context's events.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Whether a company may be chosen: `None` unknown, `Some(false)` archived.
pub async fn company_usable(db: impl PgExecutor<'_>, company_id: Uuid) -> Result<Option<bool>, sqlx::Error> {
    let archived: Option<Option<DateTime<Utc>>> = sqlx::query_scalar("select archived_at from company_directory where company_id = $1")
        .bind(company_id)
        .fetch_optional(db)
        .await?;
    Ok(archived.map(|a| a.is_none()))
}

/// Inserts or refreshes a company; an older version never overwrites a newer one.
pub async fn upsert_company(conn: &mut PgConnection, id: Uuid, name: &str, display_name: &str, is_partner: bool, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into company_directory (company_id, name, display_name, is_partner, version) values ($1, $2, $3, $4, $5) \
         on conflict (company_id) do update set name = excluded.name, display_name = excluded.display_name, \
         is_partner = excluded.is_partner, version = excluded.version where company_directory.version < excluded.version",
    )
    .bind(id)
    .bind(name)
    .bind(display_name)
    .bind(is_partner)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a company archived (creating the entry if its creation was never seen).
pub async fn archive_company(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
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
