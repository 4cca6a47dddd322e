//! How the relay learns of committed outbox rows without slowing every commit down.
//!
//! A commit that sends a notification holds PostgreSQL's database-wide notify lock through
//! its WAL flush, so the notifying commits of the whole database follow one another. The
//! relay therefore asks for notifications only while it sleeps. Awake, it holds the
//! advisory lock `outbox_awake.<schema>` and looks for rows itself every [`AWAKE_POLL`];
//! a committing writer (the trigger `outbox_wake_relay`, run at commit) notifies only when
//! it can take that lock shared, i.e. while the relay sleeps. Before that check the writer
//! takes `outbox_writing.<schema>` shared until its commit ends, and the relay falls
//! asleep only once it could take that lock exclusively after letting go of the awake
//! lock: no writer that found it awake is still committing, and one last look finds what
//! they wrote. Nothing committed waits for the fallback poll.

use std::time::Duration;

use sqlx::PgConnection;

/// How often an awake relay looks for unpublished rows.
pub const AWAKE_POLL: Duration = Duration::from_millis(1);

/// How long the relay stays awake after it last found rows to publish.
pub const AWAKE_LINGER: Duration = Duration::from_millis(50);

/// Takes the awake lock on the relay's leadership connection, waiting for writers that
/// are committing with a notification.
pub async fn stay_awake(lock: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_lock(hashtext('outbox_awake.' || current_schema()))")
        .execute(lock)
        .await?;
    Ok(())
}

/// Lets go of the awake lock; answers whether the relay may fall asleep after one last
/// look: true when no writer that found it awake is still committing. On false the relay
/// no longer holds the awake lock and takes it again ([`stay_awake`]) before it goes on.
pub async fn try_to_sleep(lock: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query("select pg_advisory_unlock(hashtext('outbox_awake.' || current_schema()))")
        .execute(&mut *lock)
        .await?;
    let quiet: bool = sqlx::query_scalar(
        "select pg_try_advisory_lock(hashtext('outbox_writing.' || current_schema()))",
    )
    .fetch_one(&mut *lock)
    .await?;
    if quiet {
        sqlx::query("select pg_advisory_unlock(hashtext('outbox_writing.' || current_schema()))")
            .execute(&mut *lock)
            .await?;
    }
    Ok(quiet)
}

/// Whether any committed row waits to be published (the partial index answers it).
pub async fn unpublished(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from outbox where published_at is null)")
        .fetch_one(conn)
        .await
}
