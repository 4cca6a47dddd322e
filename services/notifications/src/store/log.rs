//! The notification log, which is also the delivery queue: a row is written with its mail
//! rendered, claimed by a sender under `for update skip locked`, and updated with the SES
//! outcome and later with SES's delivery, bounce and complaint events.

use chrono::{DateTime, Utc};
use serde_json::Value;
use service_kit::Stored;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{Channel, DeliveryStatus, Frequency};

/// A notification about to be logged.
pub struct NewNotification {
    pub user_id: Uuid,
    pub recipient_email: Option<String>,
    pub notification_type: String,
    pub template_id: Option<Uuid>,
    pub template_version: Option<i32>,
    pub language: Option<String>,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub delivery_status: DeliveryStatus,
    pub send_after: DateTime<Utc>,
    pub digest_frequency: Option<Frequency>,
    pub error_message: Option<String>,
    pub metadata: Value,
}

#[derive(Debug, Clone, FromRow)]
pub struct LogRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub recipient_email: Option<String>,
    pub notification_type: String,
    pub channel: Stored<Channel>,
    pub template_id: Option<Uuid>,
    pub template_version: Option<i32>,
    pub language: Option<String>,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub delivery_status: Stored<DeliveryStatus>,
    pub send_after: DateTime<Utc>,
    pub digest_id: Option<Uuid>,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub ses_message_id: Option<String>,
    pub error_message: Option<String>,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// W3C trace context of the reaction or request that queued the mail.
    pub traceparent: Option<String>,
}

const COLUMNS: &str = "id, user_id, recipient_email, notification_type, channel, template_id, template_version, language, subject, html_body, text_body, delivery_status, send_after, digest_id, attempts, sent_at, ses_message_id, error_message, metadata, created_at, updated_at, traceparent";

/// Logs (and queues) a notification; it keeps the trace context of the span writing it.
pub async fn insert_notification(
    conn: &mut PgConnection,
    n: &NewNotification,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = shared_domain::new_id();
    sqlx::query(
        "insert into notification_log (id, user_id, recipient_email, notification_type, channel,
             template_id, template_version, language, subject, html_body, text_body,
             delivery_status, send_after, digest_frequency, error_message, metadata, created_at, updated_at,
             traceparent)
         values ($1, $2, $3, $4, $17, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $18)",
    )
    .bind(id)
    .bind(n.user_id)
    .bind(&n.recipient_email)
    .bind(&n.notification_type)
    .bind(n.template_id)
    .bind(n.template_version)
    .bind(&n.language)
    .bind(&n.subject)
    .bind(&n.html_body)
    .bind(&n.text_body)
    .bind(Stored(n.delivery_status))
    .bind(n.send_after)
    .bind(n.digest_frequency.map(Stored))
    .bind(&n.error_message)
    .bind(&n.metadata)
    .bind(now)
    .bind(Stored(Channel::Email))
    .bind(event_bus::trace::current_traceparent())
    .execute(conn)
    .await?;
    Ok(id)
}

/// The oldest due pending mail, locked; another sender skips it. The status is written out
/// so that every plan of the statement reads the partial index `notification_log_due`.
pub async fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<LogRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from notification_log
         where delivery_status = 'pending' and send_after <= $1
         order by send_after, id limit 1 for update skip locked"
    ))
    .bind(now)
    .fetch_optional(conn)
    .await
}

pub async fn mark_sent(
    conn: &mut PgConnection,
    id: Uuid,
    ses_message_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update notification_log set delivery_status = $4, ses_message_id = $2, sent_at = $3,
             attempts = attempts + 1, error_message = null, updated_at = $3
         where id = $1",
    )
    .bind(id)
    .bind(ses_message_id)
    .bind(now)
    .bind(Stored(DeliveryStatus::Sent))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records a failed attempt: retried after `retry_at`, or `failed` for good when none.
pub async fn mark_attempt_failed(
    conn: &mut PgConnection,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update notification_log set attempts = attempts + 1, error_message = $2,
             delivery_status = case when $3::timestamptz is null then $5 else $6 end,
             send_after = coalesce($3, send_after), updated_at = $4
         where id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .bind(Stored(DeliveryStatus::Failed))
    .bind(Stored(DeliveryStatus::Pending))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks a queued mail suppressed (its address bounced or complained meanwhile).
pub async fn mark_suppressed(
    conn: &mut PgConnection,
    id: Uuid,
    why: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update notification_log set delivery_status = $4, error_message = $2, updated_at = $3 where id = $1",
    )
    .bind(id)
    .bind(why)
    .bind(now)
    .bind(Stored(DeliveryStatus::Suppressed))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Applies an SES event to the mail it is about; `None` when no mail has that id.
pub async fn apply_delivery_event(
    conn: &mut PgConnection,
    ses_message_id: &str,
    status: DeliveryStatus,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "update notification_log set delivery_status = $2, error_message = coalesce($3, error_message),
             updated_at = $4
         where ses_message_id = $1 and delivery_status in ($5, $6)
         returning id",
    )
    .bind(ses_message_id)
    .bind(Stored(status))
    .bind(detail)
    .bind(now)
    .bind(Stored(DeliveryStatus::Sent))
    .bind(Stored(DeliveryStatus::Delivered))
    .fetch_optional(conn)
    .await
}

/// Puts a failed mail back in the queue with fresh attempts.
pub async fn requeue(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    sqlx::query(
        "update notification_log set delivery_status = $3, attempts = 0, send_after = $2,
             updated_at = $2, metadata = metadata || jsonb_build_object('resentAt', $2::text,
                 'previousError', error_message)
         where id = $1 and delivery_status = $4",
    )
    .bind(id)
    .bind(now)
    .bind(Stored(DeliveryStatus::Pending))
    .bind(Stored(DeliveryStatus::Failed))
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn fetch_notification<'e>(
    executor: impl PgExecutor<'e>,
    id: Uuid,
) -> sqlx::Result<Option<LogRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from notification_log where id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await
}

/// Filters of the log API.
#[derive(Debug, Default)]
pub struct LogFilter {
    pub user_id: Option<Uuid>,
    pub notification_type: Option<String>,
    pub status: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Newest first; `after` is the last row's (created_at, id).
pub async fn list_notifications<'e>(
    executor: impl PgExecutor<'e>,
    filter: &LogFilter,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<LogRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from notification_log
         where ($1::uuid is null or user_id = $1)
           and ($2::text is null or notification_type = $2)
           and ($3::text is null or delivery_status = $3)
           and ($4::timestamptz is null or created_at >= $4)
           and ($5::timestamptz is null or created_at < $5)
           and ($6::timestamptz is null or (created_at, id) < ($6, $7))
         order by created_at desc, id desc limit $8"
    ))
    .bind(filter.user_id)
    .bind(&filter.notification_type)
    .bind(&filter.status)
    .bind(filter.from)
    .bind(filter.to)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
    .fetch_all(executor)
    .await
}

/// People with notifications held for a digest: (person, frequency, oldest held).
pub async fn held_groups(
    conn: &mut PgConnection,
) -> sqlx::Result<Vec<(Uuid, Stored<Frequency>, DateTime<Utc>)>> {
    sqlx::query_as(
        "select user_id, digest_frequency, min(created_at) from notification_log
         where delivery_status = $1 group by user_id, digest_frequency order by 3",
    )
    .bind(Stored(DeliveryStatus::Held))
    .fetch_all(conn)
    .await
}

/// The held notifications of one digest, locked: (id, subject, text body).
pub async fn take_held(
    conn: &mut PgConnection,
    user_id: Uuid,
    frequency: Frequency,
) -> sqlx::Result<Vec<(Uuid, String, String)>> {
    sqlx::query_as(
        "select id, subject, text_body from notification_log
         where user_id = $1 and digest_frequency = $2 and delivery_status = $3
         order by created_at, id for update skip locked",
    )
    .bind(user_id)
    .bind(Stored(frequency))
    .bind(Stored(DeliveryStatus::Held))
    .fetch_all(conn)
    .await
}

pub async fn mark_digested(
    conn: &mut PgConnection,
    ids: &[Uuid],
    digest_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update notification_log set delivery_status = $4, digest_id = $2, updated_at = $3
         where id = any($1)",
    )
    .bind(ids)
    .bind(digest_id)
    .bind(now)
    .bind(Stored(DeliveryStatus::Digested))
    .execute(conn)
    .await
    .map(|_| ())
}
