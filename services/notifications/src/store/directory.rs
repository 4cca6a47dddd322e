//! Read models fed by other contexts' events: the recipient directory, organizers by
//! event, partners by company with their primary contacts, events and sessions (for mail
//! variables), newsletter subscribers; and the suppression list fed by SES bounces and
//! complaints (kept by address hash).

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::contracts::attendees::SubscriptionState;
use shared_domain::contracts::Known;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::domain::{Language, RecipientKind};

/// Someone who can be mailed.
#[derive(Debug, Clone, FromRow)]
pub struct RecipientRow {
    pub id: Uuid,
    pub kind: Stored<RecipientKind>,
    pub email: String,
    pub display_name: String,
    pub language: Stored<Language>,
    pub optional_mail: bool,
}

impl RecipientRow {
    pub fn language(&self) -> Language {
        *self.language
    }
}

/// A recipient's contact as its owning context states it.
pub struct Contact<'a> {
    pub kind: RecipientKind,
    pub email: &'a str,
    pub display_name: &'a str,
    pub language: Language,
    pub optional_mail: bool,
}

pub async fn upsert_recipient(
    conn: &mut PgConnection,
    id: Uuid,
    contact: &Contact<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into recipients (id, kind, email, display_name, language, optional_mail, updated_at)
         values ($1, $2, lower($3), $4, $5, $6, $7)
         on conflict (id) do update set kind = excluded.kind, email = excluded.email,
             display_name = excluded.display_name, language = excluded.language,
             optional_mail = excluded.optional_mail, updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(Stored(contact.kind))
    .bind(contact.email)
    .bind(contact.display_name)
    .bind(Stored(contact.language))
    .bind(contact.optional_mail)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn fetch_recipient(
    conn: &mut PgConnection,
    id: Uuid,
) -> sqlx::Result<Option<RecipientRow>> {
    sqlx::query_as(
        "select id, kind, email, display_name, language, optional_mail from recipients where id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Removes everything personal held about a person: contact, preferences, subscription,
/// the mails sent to them, events parked about them, and dead letters and stored answers
/// that name them. A suppression of their address
/// stays (it holds only a hash).
pub async fn erase_person(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    if let Some(person) = fetch_recipient(conn, id).await? {
        service_kit::erasure::forget_person(conn, id, &person.email).await?;
    }
    for statement in [
        "delete from recipients where id = $1",
        "delete from notification_preferences where user_id = $1",
        "delete from newsletter_subscribers where attendee_id = $1",
        "delete from notification_log where user_id = $1",
        "delete from event_registrations where attendee_id = $1",
        "delete from partner_contacts where contact_id = $1",
    ] {
        sqlx::query(statement).bind(id).execute(&mut *conn).await?;
    }
    super::deferred::forget_person(conn, id).await
}

/// Keeps which company a partner is (from `PartnerChanged`).
pub async fn upsert_partner(
    conn: &mut PgConnection,
    partner_id: Uuid,
    company_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into partner_directory (partner_id, company_id) values ($1, $2)
         on conflict (partner_id) do update set company_id = excluded.company_id",
    )
    .bind(partner_id)
    .bind(company_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Keeps whose contact `contact_id` is and whether it is the partner's primary one.
pub async fn upsert_partner_contact(
    conn: &mut PgConnection,
    contact_id: Uuid,
    partner_id: Uuid,
    is_primary: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into partner_contacts (contact_id, partner_id, is_primary) values ($1, $2, $3)
         on conflict (contact_id) do update set partner_id = excluded.partner_id,
             is_primary = excluded.is_primary",
    )
    .bind(contact_id)
    .bind(partner_id)
    .bind(is_primary)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The primary contact of the partner that `company_id` is, when both are known. (While a
/// partner moves its primary flag, two may briefly be primary here; one is answered.)
pub async fn primary_partner_contact(
    conn: &mut PgConnection,
    company_id: Uuid,
) -> sqlx::Result<Option<RecipientRow>> {
    sqlx::query_as(
        "select r.id, r.kind, r.email, r.display_name, r.language, r.optional_mail
         from partner_directory p
         join partner_contacts c on c.partner_id = p.partner_id and c.is_primary
         join recipients r on r.id = c.contact_id
         where p.company_id = $1 order by p.partner_id, r.id limit 1",
    )
    .bind(company_id)
    .fetch_optional(conn)
    .await
}

pub async fn grant_organizer(
    conn: &mut PgConnection,
    role_id: Uuid,
    user_id: Uuid,
    event_id: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into organizer_roles (role_id, user_id, event_id) values ($1, $2, $3)
         on conflict (role_id) do nothing",
    )
    .bind(role_id)
    .bind(user_id)
    .bind(event_id)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn revoke_organizer(conn: &mut PgConnection, role_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from organizer_roles where role_id = $1")
        .bind(role_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The organizers of an event: those with the role for it or for every event.
pub async fn organizers_of(conn: &mut PgConnection, event_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select distinct user_id from organizer_roles
         where event_id = $1 or event_id is null order by user_id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await
}

/// What mails say about an event.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub event_id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
}

pub async fn upsert_event(conn: &mut PgConnection, event: &EventRow) -> sqlx::Result<()> {
    sqlx::query(
        "insert into event_directory (event_id, event_number, title, event_date, registration_deadline)
         values ($1, $2, $3, $4, $5)
         on conflict (event_id) do update set event_number = excluded.event_number,
             title = excluded.title, event_date = excluded.event_date,
             registration_deadline = excluded.registration_deadline",
    )
    .bind(event.event_id)
    .bind(event.event_number)
    .bind(&event.title)
    .bind(event.event_date)
    .bind(event.registration_deadline)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn fetch_event(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<EventRow>> {
    sqlx::query_as(
        "select event_id, event_number, title, event_date, registration_deadline
         from event_directory where event_id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn upsert_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    event_id: Uuid,
    title: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into session_directory (session_id, event_id, title) values ($1, $2, $3)
         on conflict (session_id) do update set event_id = excluded.event_id, title = excluded.title",
    )
    .bind(session_id)
    .bind(event_id)
    .bind(title)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn session_title(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select title from session_directory where session_id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn set_subscription(
    conn: &mut PgConnection,
    attendee_id: Uuid,
    status: &Known<SubscriptionState>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into newsletter_subscribers (attendee_id, status) values ($1, $2)
         on conflict (attendee_id) do update set status = excluded.status",
    )
    .bind(attendee_id)
    .bind(Stored(status))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Attendees whose newsletter subscription is confirmed.
pub async fn confirmed_subscribers(conn: &mut PgConnection) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select attendee_id from newsletter_subscribers where status = $1 order by attendee_id",
    )
    .bind(Stored(SubscriptionState::Confirmed))
    .fetch_all(conn)
    .await
}

/// The key of an address in the suppression list.
const ADDRESS_HASH: &str = "encode(sha256(convert_to(lower($1), 'UTF8')), 'hex')";

pub async fn suppress_address(
    conn: &mut PgConnection,
    email: &str,
    reason: &str,
    ses_message_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "insert into suppressed_addresses (email_hash, reason, ses_message_id, suppressed_at)
         values ({ADDRESS_HASH}, $2, $3, $4) on conflict (email_hash) do nothing"
    ))
    .bind(email)
    .bind(reason)
    .bind(ses_message_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Why mail to `email` is suppressed, if it is.
pub async fn suppression_of(conn: &mut PgConnection, email: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(&format!(
        "select reason from suppressed_addresses where email_hash = {ADDRESS_HASH}"
    ))
    .bind(email)
    .fetch_optional(conn)
    .await
}
