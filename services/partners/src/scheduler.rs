//! Keeps every partner's `isActive` true from its start date to its end date: once a
//! minute, partners whose state the calendar has moved are flipped and announced (ending a
//! partnership is an event too). Concurrent replicas skip each other's locked rows.

use std::time::Duration;

use chrono::Utc;
use event_bus::{EventContext, Heartbeat};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::domain::partner::is_active;
use crate::{announce, store};

/// How often the calendar is checked.
pub const TICK: Duration = Duration::from_secs(60);

/// Runs until `shutdown`.
pub async fn run(
    pool: PgPool,
    shutdown: CancellationToken,
    heartbeat: Heartbeat,
) -> Result<(), String> {
    loop {
        heartbeat.beat();
        if let Err(error) = tick(&pool).await {
            tracing::warn!(?error, "partner calendar tick failed");
        }
        if !heartbeat.idle(TICK, &shutdown).await {
            return Ok(());
        }
    }
}

/// Flips the partners whose period began or ended; answers how many.
pub async fn tick(pool: &PgPool) -> Result<usize, service_kit::ApiError> {
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    let due = store::partners::lock_due(&mut tx, now.date_naive()).await?;
    for partner in &due {
        let active = is_active(
            partner.partnership_start_date,
            partner.partnership_end_date,
            now.date_naive(),
        );
        store::partners::set_active(&mut tx, partner.id, active, now).await?;
        if let Some(changed) = store::partners::lock(&mut tx, partner.id).await? {
            announce::partner(&mut tx, &changed, now, &EventContext::default()).await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}
