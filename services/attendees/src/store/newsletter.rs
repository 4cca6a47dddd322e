//! Newsletter subscriptions (double opt-in).

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::newsletter::SubscriptionStatus::{self, Confirmed, Pending, Unsubscribed};

/// A subscription as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRecord {
    pub id: Uuid,
    pub attendee_id: Uuid,
    pub status: Stored<SubscriptionStatus>,
    pub source: String,
    pub requested_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, attendee_id, status, source, requested_at, confirmed_at, unsubscribed_at";

/// The live (pending or confirmed) subscription of an attendee, locked.
pub async fn lock_live(
    conn: &mut PgConnection,
    attendee_id: Uuid,
) -> Result<Option<SubscriptionRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from newsletter_subscriptions where attendee_id = $1 and status <> $2 for update"))
        .bind(attendee_id)
        .bind(Stored(Unsubscribed))
        .fetch_optional(conn)
        .await
}

/// Stores a pending subscription with the hashes of its two tokens.
pub async fn insert_pending(
    conn: &mut PgConnection,
    id: Uuid,
    attendee_id: Uuid,
    confirm_hash: &str,
    unsubscribe_hash: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into newsletter_subscriptions (id, attendee_id, status, confirmation_token_hash, unsubscribe_token_hash, source, requested_at) \
         values ($1, $2, $7, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(attendee_id)
    .bind(confirm_hash)
    .bind(unsubscribe_hash)
    .bind(source)
    .bind(now)
    .bind(Stored(Pending))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes pending subscription `id` (one never confirmed, replaced by a new request);
/// its links then lead nowhere.
pub async fn delete_pending(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("delete from newsletter_subscriptions where id = $1 and status = $2")
        .bind(id)
        .bind(Stored(Pending))
        .execute(conn)
        .await?;
    Ok(())
}

/// The subscription a token hash belongs to, locked (`unsubscribe` picks the token kind).
pub async fn lock_by_token(
    conn: &mut PgConnection,
    token_hash: &str,
    unsubscribe: bool,
) -> Result<Option<SubscriptionRecord>, sqlx::Error> {
    let column = if unsubscribe {
        "unsubscribe_token_hash"
    } else {
        "confirmation_token_hash"
    };
    sqlx::query_as(&format!(
        "select {COLUMNS} from newsletter_subscriptions where {column} = $1 for update"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Moves a subscription to `status` and mirrors it on the attendee.
pub async fn set_status(
    conn: &mut PgConnection,
    subscription: &SubscriptionRecord,
    status: SubscriptionStatus,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update newsletter_subscriptions set status = $2, confirmed_at = case when $2 = $4 then $3 else confirmed_at end, \
         unsubscribed_at = case when $2 = $5 then $3 else unsubscribed_at end where id = $1",
    )
    .bind(subscription.id)
    .bind(Stored(status))
    .bind(now)
    .bind(Stored(Confirmed))
    .bind(Stored(Unsubscribed))
    .execute(&mut *conn)
    .await?;
    sqlx::query("update attendees set newsletter_subscription = $2, updated_at = $3, version = version + 1 where id = $1")
        .bind(subscription.attendee_id)
        .bind(status == Confirmed)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
