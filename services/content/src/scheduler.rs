//! The sweeper: uploads whose link expired without a confirmation end `failed` (their
//! quota reservation lapses with the link), and objects of failed, infected and deleted
//! files leave the store. Replicas skip each other's locked rows.

use std::time::Duration;

use chrono::Utc;
use event_bus::Heartbeat;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::domain::status::UploadStatus;
use crate::storage::ObjectStore;
use crate::store::files;

/// How long after its link expired an upload may still be confirmed.
pub const GRACE: Duration = Duration::from_secs(600);

/// Runs every `interval` until `shutdown`.
pub async fn run(
    pool: PgPool,
    store: ObjectStore,
    interval: Duration,
    shutdown: CancellationToken,
    heartbeat: Heartbeat,
) -> Result<(), String> {
    loop {
        heartbeat.beat();
        if let Err(error) = sweep(&pool, &store, GRACE).await {
            tracing::warn!(%error, "content sweep failed");
        }
        if !heartbeat.idle(interval, &shutdown).await {
            return Ok(());
        }
    }
}

/// One sweep with `grace` after expiry; answers (uploads expired, objects removed).
pub async fn sweep(
    pool: &PgPool,
    store: &ObjectStore,
    grace: Duration,
) -> Result<(usize, usize), String> {
    let now = Utc::now();
    let before = now - chrono::Duration::from_std(grace).map_err(|e| e.to_string())?;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let expired = files::lock_expired(&mut tx, before)
        .await
        .map_err(|e| e.to_string())?;
    for f in &expired {
        files::set_status(
            &mut tx,
            f.id,
            UploadStatus::Failed,
            Some("the upload link expired unconfirmed"),
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let doomed = files::lock_objects_to_remove(&mut tx)
        .await
        .map_err(|e| e.to_string())?;
    let mut removed = 0;
    for f in &doomed {
        if store.delete(&f.s3_key).await.is_ok() {
            files::object_removed(&mut tx, f.id, now)
                .await
                .map_err(|e| e.to_string())?;
            removed += 1;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok((expired.len(), removed))
}
