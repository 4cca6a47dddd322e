//! Partner contacts.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::contact::{ContactFields, ContactLanguage};

/// A contact as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRecord {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub contact_role: String,
    pub language: Stored<ContactLanguage>,
    pub is_primary: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ContactRecord {
    pub fn fields(&self) -> ContactFields {
        ContactFields {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            role: self.contact_role.clone(),
            language: *self.language,
            is_primary: self.is_primary,
        }
    }
}

const COLUMNS: &str = "id, partner_id, first_name, last_name, email, contact_role, language, is_primary, created_at, updated_at, version";

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    partner_id: Uuid,
    f: &Valid<ContactFields>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into partner_contacts (id, partner_id, first_name, last_name, email, contact_role, language, is_primary, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id)
    .bind(partner_id)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(&f.email)
    .bind(&f.role)
    .bind(Stored(f.language))
    .bind(f.is_primary)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<ContactFields>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update partner_contacts set first_name = $2, last_name = $3, email = $4, contact_role = $5, language = $6, is_primary = $7, \
         updated_at = $8, version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(&f.email)
    .bind(&f.role)
    .bind(Stored(f.language))
    .bind(f.is_primary)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// A contact of `partner_id`, locked for the rest of the transaction.
pub async fn lock(
    conn: &mut PgConnection,
    partner_id: Uuid,
    id: Uuid,
) -> Result<Option<ContactRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partner_contacts where id = $1 and partner_id = $2 for update"
    ))
    .bind(id)
    .bind(partner_id)
    .fetch_optional(conn)
    .await
}

/// A contact by id.
pub async fn fetch(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<ContactRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partner_contacts where id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A partner's contacts, the primary first, then by name.
pub async fn of_partner(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
) -> Result<Vec<ContactRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from partner_contacts where partner_id = $1 order by is_primary desc, last_name, first_name, id"
    ))
    .bind(partner_id)
    .fetch_all(db)
    .await
}

/// A primary contact with the display name of their company.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitee {
    #[sqlx(flatten)]
    pub contact: ContactRecord,
    pub company_name: Option<String>,
}

/// The primary contact of every active partner.
pub async fn primaries_of_active(conn: &mut PgConnection) -> Result<Vec<Invitee>, sqlx::Error> {
    sqlx::query_as(
        "select c.id, c.partner_id, c.first_name, c.last_name, c.email, c.contact_role, c.language, c.is_primary, \
         c.created_at, c.updated_at, c.version, d.display_name as company_name from partner_contacts c \
         join partners p on p.id = c.partner_id and p.is_active \
         left join company_directory d on d.company_id = p.company_id where c.is_primary order by c.partner_id",
    )
    .fetch_all(conn)
    .await
}

/// Deletes a contact (their key goes with them, see `service_kit::erasure`).
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("delete from partner_contacts where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
