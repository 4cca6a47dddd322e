//! The webhook sender: every second it claims due deliveries, signs each per the Standard
//! Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and POSTs it to
//! an address it resolved and checked itself (no redirects followed, so nothing reaches
//! our own network). A 2xx answer delivers it; anything else is retried on the schedule,
//! then the delivery has failed; a subscription whose deliveries fail in a row is disabled
//! and its partner's primary contact told (`PartnerWebhookDisabled`).

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use event_bus::outbox::OutboxError;
use event_bus::{EventContext, Heartbeat};
use shared_domain::contracts::partners::PartnerWebhookDisabled;
use sqlx::{PgConnection, PgPool};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::domain::webhook::{
    may_receive, retry_after, signature, TargetPolicy, DISABLE_AFTER_FAILED_DELIVERIES,
};
use crate::store;
use crate::store::webhooks::{Attempt, DeliveryRecord, SubscriptionRecord};

/// How the sender runs.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub policy: TargetPolicy,
    /// Waits before the 2nd, 3rd, … attempt.
    pub schedule: Vec<Duration>,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl WebhookSettings {
    /// `WEBHOOK_TARGETS` (`public`: https to public addresses only, the production
    /// default; `local`: a local fleet's receivers too, the local default) and
    /// `WEBHOOK_RETRY_SECS` (the waits before each retry, comma-separated; default the
    /// schedule of `domain::webhook::default_schedule`).
    pub fn from_env(production: bool) -> Result<Self, String> {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let policy = match get("WEBHOOK_TARGETS").as_deref() {
            None if production => TargetPolicy::PublicHttps,
            None => TargetPolicy::Local,
            Some("public") => TargetPolicy::PublicHttps,
            Some("local") if !production => TargetPolicy::Local,
            Some(other) => {
                return Err(format!(
                    "WEBHOOK_TARGETS={other}: expected public (or local outside production)"
                ))
            }
        };
        let schedule = match get("WEBHOOK_RETRY_SECS") {
            None => crate::domain::webhook::default_schedule(),
            Some(raw) => raw
                .split(',')
                .map(|s| s.trim().parse::<f64>().map(Duration::from_secs_f64))
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    format!("WEBHOOK_RETRY_SECS={raw}: expected seconds, comma-separated")
                })?,
        };
        Ok(Self {
            policy,
            schedule,
            timeout: Duration::from_secs(10),
        })
    }
}

/// How often due deliveries are looked for.
const TICK: Duration = Duration::from_secs(1);
/// Deliveries claimed per transaction.
const BATCH: i64 = 5;

/// Runs until `shutdown`.
pub async fn run(
    pool: PgPool,
    settings: WebhookSettings,
    shutdown: CancellationToken,
    heartbeat: Heartbeat,
) -> Result<(), String> {
    while !shutdown.is_cancelled() {
        heartbeat.beat();
        match tick(&pool, &settings).await {
            Ok(BATCH..) => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "webhook delivery tick failed"),
        }
        if !heartbeat.idle(TICK, &shutdown).await {
            return Ok(());
        }
    }
    Ok(())
}

/// Sends what is due (one batch); answers how many attempts were made.
pub async fn tick(pool: &PgPool, settings: &WebhookSettings) -> Result<i64, OutboxError> {
    let mut tx = pool.begin().await?;
    let due = store::webhooks::lock_due(&mut tx, Utc::now(), BATCH).await?;
    let count = due.len() as i64;
    for (delivery, subscription) in due {
        let outcome = send(&delivery, &subscription, settings).await;
        record(&mut tx, &delivery, &subscription, outcome, settings).await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// An attempt's answer: the status code, or why there was none.
type Outcome = Result<u16, String>;

async fn send(
    delivery: &DeliveryRecord,
    subscription: &SubscriptionRecord,
    settings: &WebhookSettings,
) -> Outcome {
    let url = Url::parse(&subscription.url).map_err(|e| e.to_string())?;
    let host = url.host_str().ok_or("no host")?.to_owned();
    let port = url.port_or_known_default().ok_or("no port")?;
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    let Some(address) = addresses.first().copied() else {
        return Err(format!("{host} has no address"));
    };
    if let Some(inward) = addresses
        .iter()
        .find(|a| !may_receive(a.ip(), settings.policy))
    {
        return Err(format!(
            "{host} resolves to {}, which receives nothing",
            inward.ip()
        ));
    }
    let body = serde_json::to_vec(&delivery.body).map_err(|e| e.to_string())?;
    let id = delivery.id.to_string();
    let timestamp = Utc::now().timestamp();
    let signed = signature(&subscription.secret, &id, timestamp, &body)
        .ok_or("the subscription's secret is unusable")?;
    // The checked address is the one connected to.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .resolve(&host, address)
        .build()
        .map_err(|e| e.to_string())?;
    let answer = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "BATbern-Webhooks/1")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(body)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    Ok(answer.status().as_u16())
}

async fn record(
    conn: &mut PgConnection,
    delivery: &DeliveryRecord,
    subscription: &SubscriptionRecord,
    outcome: Outcome,
    settings: &WebhookSettings,
) -> Result<(), OutboxError> {
    let now = Utc::now();
    let attempts = delivery.attempts + 1;
    let (code, error) = match &outcome {
        Ok(code) => (Some(i32::from(*code)), None),
        Err(error) => (None, Some(error.as_str())),
    };
    if let Ok(200..=299) = outcome {
        let attempt = Attempt {
            status: "succeeded",
            attempts,
            next_attempt_at: None,
            status_code: code,
            error: None,
            delivered_at: Some(now),
        };
        store::webhooks::record_attempt(conn, delivery.id, &attempt).await?;
        store::webhooks::reset_failed_deliveries(conn, subscription.id).await?;
        return Ok(());
    }
    let retry = retry_after(attempts as u32, &settings.schedule);
    let attempt = Attempt {
        status: if retry.is_some() { "pending" } else { "failed" },
        attempts,
        next_attempt_at: retry
            .and_then(|wait| chrono::Duration::from_std(wait).ok())
            .map(|wait| now + wait),
        status_code: code,
        error,
        delivered_at: None,
    };
    store::webhooks::record_attempt(conn, delivery.id, &attempt).await?;
    if retry.is_some() {
        return Ok(());
    }
    // Counted in the row: a batch may hold several deliveries of one subscription.
    let failed = store::webhooks::count_failed_delivery(conn, subscription.id).await?;
    if failed >= DISABLE_AFTER_FAILED_DELIVERIES
        && store::webhooks::disable(conn, subscription.id, now).await?
    {
        announce_disabled(conn, subscription, failed, now).await?;
    }
    Ok(())
}

async fn announce_disabled(
    conn: &mut PgConnection,
    subscription: &SubscriptionRecord,
    failed: i32,
    now: chrono::DateTime<Utc>,
) -> Result<(), OutboxError> {
    let Some(partner) = store::partners::fetch(&mut *conn, subscription.partner_id).await? else {
        return Ok(());
    };
    let disabled = PartnerWebhookDisabled {
        subscription_id: subscription.id,
        partner_id: partner.id,
        company_id: partner.company_id,
        url: subscription.url.clone(),
        failed_deliveries: failed,
        disabled_at: now,
    };
    tracing::warn!(subscription = %subscription.id, partner = %partner.id, "webhook subscription disabled after failing deliveries");
    event_bus::outbox::enqueue(conn, &disabled, &EventContext::default())
        .await
        .map(|_| ())
}
