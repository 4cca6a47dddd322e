//! Webhook subscriptions and their deliveries. A delivery row is written in the inbox
//! transaction of the event it carries (so each event makes at most one delivery per
//! subscription); the delivery worker claims due rows with `skip locked`, so replicas
//! never send the same attempt twice.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A subscription as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRecord {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: String,
    pub status: String,
    pub failed_deliveries: i32,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A delivery as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub body: Value,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const SUBSCRIPTION: &str =
    "id, partner_id, url, event_types, secret, status, failed_deliveries, created_at, disabled_at";
const DELIVERY: &str =
    "id, subscription_id, event_id, event_type, body, status, attempts, next_attempt_at, \
     last_status_code, last_error, created_at, delivered_at";

pub async fn insert_subscription(
    db: impl PgExecutor<'_>,
    record: &SubscriptionRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into webhook_subscriptions (id, partner_id, url, event_types, secret, status, created_at) \
         values ($1, $2, $3, $4, $5, 'active', $6)",
    )
    .bind(record.id)
    .bind(record.partner_id)
    .bind(&record.url)
    .bind(&record.event_types)
    .bind(&record.secret)
    .bind(record.created_at)
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn fetch_subscriptions(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
) -> Result<Vec<SubscriptionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {SUBSCRIPTION} from webhook_subscriptions where partner_id = $1 order by created_at, id"
    ))
    .bind(partner_id)
    .fetch_all(db)
    .await
}

pub async fn fetch_subscription(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
    id: Uuid,
) -> Result<Option<SubscriptionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {SUBSCRIPTION} from webhook_subscriptions where partner_id = $1 and id = $2"
    ))
    .bind(partner_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Removes a subscription and its delivery log; answers whether it existed.
pub async fn delete_subscription(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let deleted =
        sqlx::query("delete from webhook_subscriptions where partner_id = $1 and id = $2")
            .bind(partner_id)
            .bind(id)
            .execute(db)
            .await?;
    Ok(deleted.rows_affected() == 1)
}

/// A delivery of `event_type` to every active subscription of `partner_id` that wants it
/// (none twice for the same event); answers how many were queued.
pub async fn enqueue(
    conn: &mut PgConnection,
    partner_id: Uuid,
    event_id: Uuid,
    event_type: &str,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let subscriptions: Vec<Uuid> = sqlx::query_scalar(
        "select id from webhook_subscriptions \
          where partner_id = $1 and status = 'active' and $2 = any(event_types)",
    )
    .bind(partner_id)
    .bind(event_type)
    .fetch_all(&mut *conn)
    .await?;
    let mut queued = 0;
    for subscription in subscriptions {
        queued += sqlx::query(
            "insert into webhook_deliveries (id, subscription_id, event_id, event_type, body, next_attempt_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $6) \
             on conflict on constraint webhook_delivery_once_per_event do nothing",
        )
        .bind(shared_domain::new_id())
        .bind(subscription)
        .bind(event_id)
        .bind(event_type)
        .bind(body)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(queued)
}

/// Up to `limit` due deliveries of active subscriptions, locked for this transaction
/// (rows another sender holds are skipped), with their subscription, also locked. The
/// subscriptions are locked in id order, so two senders whose batches share
/// subscriptions wait for each other instead of deadlocking.
pub async fn lock_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(DeliveryRecord, SubscriptionRecord)>, sqlx::Error> {
    let deliveries: Vec<DeliveryRecord> = sqlx::query_as(&format!(
        "select {DELIVERY} from webhook_deliveries d \
          where status = 'pending' and next_attempt_at <= $1 \
            and exists (select 1 from webhook_subscriptions s where s.id = d.subscription_id and s.status = 'active') \
          order by next_attempt_at limit $2 for update skip locked"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.subscription_id).collect();
    let subscriptions: Vec<SubscriptionRecord> = sqlx::query_as(&format!(
        "select {SUBSCRIPTION} from webhook_subscriptions where id = any($1) order by id for update"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    Ok(deliveries
        .into_iter()
        .filter_map(|delivery| {
            let subscription = subscriptions
                .iter()
                .find(|s| s.id == delivery.subscription_id)?;
            Some((delivery, subscription.clone()))
        })
        .collect())
}

/// What one attempt came to.
pub struct Attempt<'a> {
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub status_code: Option<i32>,
    pub error: Option<&'a str>,
    pub delivered_at: Option<DateTime<Utc>>,
}

pub async fn record_attempt(
    conn: &mut PgConnection,
    id: Uuid,
    attempt: &Attempt<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update webhook_deliveries set status = $2, attempts = $3, next_attempt_at = $4, \
                last_status_code = $5, last_error = $6, delivered_at = $7 where id = $1",
    )
    .bind(id)
    .bind(attempt.status)
    .bind(attempt.attempts)
    .bind(attempt.next_attempt_at)
    .bind(attempt.status_code)
    .bind(attempt.error)
    .bind(attempt.delivered_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A delivery of the subscription succeeded: the failures in a row start again at 0.
pub async fn reset_failed_deliveries(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("update webhook_subscriptions set failed_deliveries = 0 where id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A delivery of the subscription failed for good: answers the failures in a row now.
pub async fn count_failed_delivery(conn: &mut PgConnection, id: Uuid) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "update webhook_subscriptions set failed_deliveries = failed_deliveries + 1 \
          where id = $1 returning failed_deliveries",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Disables an active subscription; answers whether it was active.
pub async fn disable(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let disabled = sqlx::query(
        "update webhook_subscriptions set status = 'disabled', disabled_at = $2 \
          where id = $1 and status = 'active'",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(disabled.rows_affected() == 1)
}

/// The newest deliveries of a subscription first.
pub async fn fetch_deliveries(
    db: impl PgExecutor<'_>,
    subscription_id: Uuid,
    limit: i64,
) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {DELIVERY} from webhook_deliveries where subscription_id = $1 \
          order by created_at desc, id desc limit $2"
    ))
    .bind(subscription_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Queues a delivery again from its first attempt (a manual replay); answers it, or none
/// when the subscription has no such delivery.
pub async fn replay_delivery(
    db: impl PgExecutor<'_>,
    subscription_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DeliveryRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = $3, \
                delivered_at = null where subscription_id = $1 and id = $2 returning {DELIVERY}"
    ))
    .bind(subscription_id)
    .bind(id)
    .bind(now)
    .fetch_optional(db)
    .await
}
