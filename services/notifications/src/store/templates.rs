//! Template versions. A save adds a version (numbers per type and language come from an
//! advisory lock on the pair); activating one deactivates the other in the same
//! transaction, so exactly one version is active.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{Language, TemplateType};

use crate::domain::template::TemplateText;

/// A stored template version.
#[derive(Debug, Clone, FromRow)]
pub struct TemplateRow {
    pub id: Uuid,
    pub template_type: Stored<TemplateType>,
    pub language: Stored<Language>,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub variables: Json<Vec<String>>,
    pub version: i32,
    pub is_active: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TemplateRow {
    pub fn text(&self) -> TemplateText {
        TemplateText {
            subject: self.subject.clone(),
            html_body: self.html_body.clone(),
            text_body: self.text_body.clone(),
            variables: self.variables.0.clone(),
        }
    }
}

const COLUMNS: &str = "id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at";

pub async fn fetch_active(
    conn: &mut PgConnection,
    template_type: &str,
    language: &str,
) -> sqlx::Result<Option<TemplateRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from email_templates where template_type = $1 and language = $2 and is_active"
    ))
    .bind(template_type)
    .bind(language)
    .fetch_optional(conn)
    .await
}

pub async fn fetch_template<'e>(
    executor: impl PgExecutor<'e>,
    id: Uuid,
) -> sqlx::Result<Option<TemplateRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from email_templates where id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await
}

/// Versions by type, language and newest first, optionally filtered.
pub async fn list_templates<'e>(
    executor: impl PgExecutor<'e>,
    template_type: Option<&str>,
    language: Option<&str>,
    active_only: bool,
) -> sqlx::Result<Vec<TemplateRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from email_templates
         where ($1::text is null or template_type = $1) and ($2::text is null or language = $2)
           and (not $3 or is_active)
         order by template_type, language, version desc"
    ))
    .bind(template_type)
    .bind(language)
    .bind(active_only)
    .fetch_all(executor)
    .await
}

/// Adds the next version of a type and language; active at once when `activate`.
pub async fn insert_version(
    conn: &mut PgConnection,
    template_type: &str,
    language: &str,
    text: &TemplateText,
    activate: bool,
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    sqlx::query("select pg_advisory_xact_lock(hashtext('email_templates:' || $1 || ':' || $2))")
        .bind(template_type)
        .bind(language)
        .execute(&mut *conn)
        .await?;
    if activate {
        deactivate_pair(conn, template_type, language, now).await?;
    }
    let id = shared_domain::new_id();
    sqlx::query(
        "insert into email_templates (id, template_type, language, subject, html_body, text_body,
             variables, version, is_active, created_by, created_at, updated_at)
         select $1, $2, $3, $4, $5, $6, $7,
             coalesce((select max(version) from email_templates where template_type = $2 and language = $3), 0) + 1,
             $8, $9, $10, $10",
    )
    .bind(id)
    .bind(template_type)
    .bind(language)
    .bind(&text.subject)
    .bind(&text.html_body)
    .bind(&text.text_body)
    .bind(Json(&text.variables))
    .bind(activate)
    .bind(created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Makes `row` the active version of its type and language.
pub async fn activate(
    conn: &mut PgConnection,
    row: &TemplateRow,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtext('email_templates:' || $1 || ':' || $2))")
        .bind(row.template_type)
        .bind(row.language)
        .execute(&mut *conn)
        .await?;
    deactivate_pair(
        conn,
        &row.template_type.to_string(),
        &row.language.to_string(),
        now,
    )
    .await?;
    sqlx::query("update email_templates set is_active = true, updated_at = $2 where id = $1")
        .bind(row.id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

async fn deactivate_pair(
    conn: &mut PgConnection,
    template_type: &str,
    language: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update email_templates set is_active = false, updated_at = $3
         where template_type = $1 and language = $2 and is_active",
    )
    .bind(template_type)
    .bind(language)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}
