//! Pending address changes (only the link token's hash is kept).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

/// An address change waiting for its link.
#[derive(Debug, Clone, FromRow)]
pub struct PendingChange {
    pub id: Uuid,
    pub attendee_id: Uuid,
    pub new_email: String,
    pub expires_at: DateTime<Utc>,
}

/// Stores a change, replacing an earlier one of the same attendee.
pub async fn replace(
    conn: &mut PgConnection,
    change: &PendingChange,
    token_hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into email_changes (id, attendee_id, new_email, token_hash, requested_at, expires_at)
         values ($1, $2, lower($3), $4, $5, $6)
         on conflict (attendee_id) do update set id = excluded.id, new_email = excluded.new_email,
             token_hash = excluded.token_hash, requested_at = excluded.requested_at,
             expires_at = excluded.expires_at",
    )
    .bind(change.id)
    .bind(change.attendee_id)
    .bind(&change.new_email)
    .bind(token_hash)
    .bind(now)
    .bind(change.expires_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The change a token belongs to, locked.
pub async fn lock_by_token(
    conn: &mut PgConnection,
    token_hash: &str,
) -> sqlx::Result<Option<PendingChange>> {
    sqlx::query_as(
        "select id, attendee_id, new_email, expires_at from email_changes
         where token_hash = $1 for update",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// The address an attendee is moving to, if a change is pending.
pub async fn pending_email(
    conn: &mut PgConnection,
    attendee_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select new_email from email_changes where attendee_id = $1")
        .bind(attendee_id)
        .fetch_optional(conn)
        .await
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from email_changes where id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}
