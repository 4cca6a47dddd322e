//! Attendee rows.

use chrono::{DateTime, Utc};
use shared_domain::Valid;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::attendee::{AttendeeFields, GdprConsent};

/// An attendee as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendeeRecord {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Option<Uuid>,
    pub position: Option<String>,
    pub newsletter_subscription: bool,
    pub gdpr_consent_given: bool,
    pub gdpr_consent_date: Option<DateTime<Utc>>,
    pub gdpr_policy_version: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub erased_at: Option<DateTime<Utc>>,
}

impl AttendeeRecord {
    /// The editable fields as stored.
    pub fn fields(&self) -> AttendeeFields {
        AttendeeFields {
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company_id: self.company_id,
            position: self.position.clone(),
            newsletter_subscription: self.newsletter_subscription,
            consent: GdprConsent {
                given: self.gdpr_consent_given,
                given_at: self.gdpr_consent_date,
                policy_version: self.gdpr_policy_version.clone(),
            },
            language: self.language.clone(),
        }
    }
}

const COLUMNS: &str = "id, email, first_name, last_name, company_id, position, newsletter_subscription, gdpr_consent_given, \
    gdpr_consent_date, gdpr_policy_version, language, created_at, updated_at, last_login_at, version, erased_at";

/// Inserts an attendee; `Err(existing id)` when the email is taken.
pub async fn insert_attendee(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<AttendeeFields>,
    account: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<(), Uuid>, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into attendees (id, email, first_name, last_name, company_id, position, newsletter_subscription, gdpr_consent_given, \
         gdpr_consent_date, gdpr_policy_version, language, created_at, updated_at, account_subject) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) \
         on conflict (lower(email)) do nothing",
    )
    .bind(id)
    .bind(&f.email)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(f.company_id)
    .bind(&f.position)
    .bind(f.newsletter_subscription)
    .bind(f.consent.given)
    .bind(f.consent.given.then_some(f.consent.given_at.unwrap_or(now)))
    .bind(&f.consent.policy_version)
    .bind(&f.language)
    .bind(now)
    .bind(account)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    let existing: Uuid =
        sqlx::query_scalar("select id from attendees where lower(email) = lower($1)")
            .bind(&f.email)
            .fetch_one(conn)
            .await?;
    Ok(Err(existing))
}

/// Reads one attendee.
pub async fn fetch_attendee(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<AttendeeRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from attendees where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reads one attendee and locks it.
pub async fn lock_attendee(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<AttendeeRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from attendees where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Writes new fields; `None` when the new email belongs to someone else.
pub async fn update_attendee(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<AttendeeFields>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let taken: Option<Uuid> =
        sqlx::query_scalar("select id from attendees where lower(email) = lower($1) and id <> $2")
            .bind(&f.email)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let version = sqlx::query_scalar(
        "update attendees set email = $2, first_name = $3, last_name = $4, company_id = $5, position = $6, newsletter_subscription = $7, \
         gdpr_consent_given = $8, gdpr_consent_date = case when $8 then coalesce(gdpr_consent_date, $10) else null end, \
         gdpr_policy_version = $9, language = $11, updated_at = $10, version = version + 1 where id = $1 returning version",
    )
    .bind(id)
    .bind(&f.email)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(f.company_id)
    .bind(&f.position)
    .bind(f.newsletter_subscription)
    .bind(f.consent.given)
    .bind(&f.consent.policy_version)
    .bind(now)
    .bind(&f.language)
    .fetch_one(conn)
    .await;
    match version {
        Ok(version) => Ok(Some(version)),
        // A concurrent change took the email between the check and this update.
        Err(e)
            if e.as_database_error().and_then(|d| d.constraint())
                == Some("attendees_email_unique") =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Attendees by email, optionally matching `search` (email or name), after the id `after`.
pub async fn list_attendees(
    db: impl PgExecutor<'_>,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AttendeeRecord>, sqlx::Error> {
    let pattern = search.map(|s| {
        format!(
            "%{}%",
            s.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    sqlx::query_as(&format!(
        "select {COLUMNS} from attendees where ($1::text is null or lower(email) like $1 or lower(first_name || ' ' || last_name) like $1) \
         and ($2::uuid is null or id > $2) order by id limit $3"
    ))
    .bind(pattern)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Replaces every personal field with a neutral value; the row (and so every registration
/// and count) stays; a pending address change and the retained profile announcements go
/// with it (`service_kit::erasure::forget_profile`); the language stays (no personal data). Returns whether the attendee was erased now
/// (false: already erased).
pub async fn erase_attendee(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let erased = sqlx::query(
        "update attendees set email = 'erased-' || id || '@erased.invalid', first_name = 'Erased', last_name = 'Erased', \
         company_id = null, position = null, newsletter_subscription = false, gdpr_consent_given = false, gdpr_consent_date = null, \
         gdpr_policy_version = null, last_login_at = null, account_subject = null, erased_at = $2, updated_at = $2, version = version + 1 \
         where id = $1 and erased_at is null",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if erased.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("update event_registrations set special_requests = null, session_preferences = '[]' where attendee_id = $1").bind(id).execute(&mut *conn).await?;
    // The subscriptions go whole: their links then lead nowhere.
    sqlx::query("delete from newsletter_subscriptions where attendee_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    service_kit::erasure::forget_profile(conn, id).await?;
    Ok(true)
}
