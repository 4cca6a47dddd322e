//! Partner rows.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::partner::{Benefit, PartnerFields, PartnershipTier};

/// A partner as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartnerRecord {
    pub id: Uuid,
    pub company_id: Uuid,
    pub partnership_level: Stored<PartnershipTier>,
    pub partnership_start_date: NaiveDate,
    pub partnership_end_date: Option<NaiveDate>,
    pub is_active: bool,
    pub benefit_overrides: Json<BTreeMap<Benefit, bool>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The public address of the company's current logo, from the company directory.
    pub company_logo_url: Option<String>,
}

impl PartnerRecord {
    pub fn tier(&self) -> PartnershipTier {
        *self.partnership_level
    }

    pub fn fields(&self) -> PartnerFields {
        PartnerFields {
            tier: self.tier(),
            start_date: self.partnership_start_date,
            end_date: self.partnership_end_date,
            benefit_overrides: self.benefit_overrides.0.clone(),
        }
    }
}

// The logo is read in a scalar subquery, so `for update` locks the partner row only.
const COLUMNS: &str =
    "id, company_id, partnership_level, partnership_start_date, partnership_end_date, is_active, \
    benefit_overrides, created_at, updated_at, version, \
    (select d.logo_url from company_directory d where d.company_id = partners.company_id) as company_logo_url";

/// Inserts a partner; false when the company has one already.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    company_id: Uuid,
    f: &Valid<PartnerFields>,
    is_active: bool,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "insert into partners (id, company_id, partnership_level, partnership_start_date, partnership_end_date, is_active, \
         benefit_overrides, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) on conflict (company_id) do nothing",
    )
    .bind(id)
    .bind(company_id)
    .bind(Stored(f.tier))
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(is_active)
    .bind(Json(&f.benefit_overrides))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes new fields and the active state; returns the new version.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<PartnerFields>,
    is_active: bool,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update partners set partnership_level = $2, partnership_start_date = $3, partnership_end_date = $4, is_active = $5, \
         benefit_overrides = $6, updated_at = $7, version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(Stored(f.tier))
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(is_active)
    .bind(Json(&f.benefit_overrides))
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Sets the active state; returns the new version.
pub async fn set_active(
    conn: &mut PgConnection,
    id: Uuid,
    is_active: bool,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update partners set is_active = $2, updated_at = $3, version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(is_active)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn fetch(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<PartnerRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from partners where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<PartnerRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partners where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The partner of a company.
pub async fn of_company(
    db: impl PgExecutor<'_>,
    company_id: Uuid,
) -> Result<Option<PartnerRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partners where company_id = $1"
    ))
    .bind(company_id)
    .fetch_optional(db)
    .await
}

/// A page of partners by id, optionally of one company, tier or active state.
pub async fn list(
    db: impl PgExecutor<'_>,
    company_id: Option<Uuid>,
    tier: Option<PartnershipTier>,
    active: Option<bool>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PartnerRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partners where ($1::uuid is null or company_id = $1) and ($2::text is null or partnership_level = $2) \
         and ($3::boolean is null or is_active = $3) and ($4::uuid is null or id > $4) order by id limit $5"
    ))
    .bind(company_id)
    .bind(tier.map(Stored))
    .bind(active)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Partners whose stored active state differs from what `today` says, locked and skipped
/// by concurrent schedulers.
pub async fn lock_due(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Vec<PartnerRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partners where is_active <> (partnership_start_date <= $1 and \
         (partnership_end_date is null or $1 <= partnership_end_date)) order by id limit 100 for update skip locked"
    ))
    .bind(today)
    .fetch_all(conn)
    .await
}
