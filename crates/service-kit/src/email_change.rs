//! Pending address changes of a service's people (attendees, speakers): each schema has an
//! `email_changes` table keyed by `person_id`; only the link token's hash is kept, and a
//! newer request replaces an older one. The rule of when a change needs a link is
//! `shared_domain::address_change`.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use shared_domain::address_change::{
    link_works, wait_for_next_link, LINK_LIFETIME, NEXT_LINK_AFTER,
};
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::problem::{ApiError, ProblemKind};

/// An address change waiting for its link.
#[derive(Debug, Clone, FromRow)]
pub struct PendingChange {
    pub id: Uuid,
    pub person_id: Uuid,
    pub new_email: String,
    pub expires_at: DateTime<Utc>,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Records a change of `person_id` to `new_email` (replacing an earlier one); answers it
/// with the token of the link to mail to the new address. A person who asked for a link
/// less than [`NEXT_LINK_AFTER`] ago is answered 429 naming `email`, with `Retry-After`.
///
/// An address that another person asked to move to less than [`NEXT_LINK_AFTER`] ago gets
/// no link (no token): several accounts cannot take turns mailing one stranger. The change
/// is recorded all the same, so the answer does not tell that someone else asked.
pub async fn start(
    conn: &mut PgConnection,
    person_id: Uuid,
    new_email: &str,
    now: DateTime<Utc>,
) -> Result<(PendingChange, Option<String>), ApiError> {
    let last: Option<DateTime<Utc>> = sqlx::query_scalar(
        "select requested_at from email_changes where person_id = $1 for update",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(wait) = wait_for_next_link(last, now) {
        return Err(ApiError::too_soon(
            "email",
            "a link to a new address was mailed a moment ago; ask for the next one later",
            wait.num_seconds().max(1) as u64,
        ));
    }
    let new_email = new_email.to_lowercase();
    // Requests for one address take turns, so two at once cannot both find it unmailed.
    sqlx::query("select pg_advisory_xact_lock(hashtext('email_change.' || $1))")
        .bind(&new_email)
        .execute(&mut *conn)
        .await?;
    let asked_for_lately: bool = sqlx::query_scalar(
        "select exists (select 1 from email_changes
            where new_email = $1 and person_id <> $2 and requested_at > $3)",
    )
    .bind(&new_email)
    .bind(person_id)
    .bind(now - NEXT_LINK_AFTER)
    .fetch_one(&mut *conn)
    .await?;
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let change = PendingChange {
        id: shared_domain::new_id(),
        person_id,
        new_email,
        expires_at: now + LINK_LIFETIME,
    };
    sqlx::query(
        "insert into email_changes (id, person_id, new_email, token_hash, requested_at, expires_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (person_id) do update set id = excluded.id, new_email = excluded.new_email,
             token_hash = excluded.token_hash, requested_at = excluded.requested_at,
             expires_at = excluded.expires_at",
    )
    .bind(change.id)
    .bind(change.person_id)
    .bind(&change.new_email)
    .bind(hash(&token))
    .bind(now)
    .bind(change.expires_at)
    .execute(conn)
    .await?;
    Ok((change, (!asked_for_lately).then_some(token)))
}

/// The change a token belongs to: 404 for an unknown token, 410 once expired. A
/// confirmation then locks the person's row and [`hold`]s the change.
pub async fn live(conn: &mut PgConnection, token: &str) -> Result<PendingChange, ApiError> {
    let change: Option<PendingChange> = sqlx::query_as(
        "select id, person_id, new_email, expires_at from email_changes where token_hash = $1",
    )
    .bind(hash(token))
    .fetch_optional(conn)
    .await?;
    let change = change.ok_or_else(|| ApiError::not_found("This link is not valid"))?;
    if !link_works(change.expires_at, Utc::now()) {
        return Err(ApiError::new(
            ProblemKind::Gone,
            "This link has expired; change the address in your profile again",
        ));
    }
    Ok(change)
}

/// Locks `change` for its confirmation, after the person's row: a profile change takes
/// the person's row and then its pending change, so taking them in that order here too
/// keeps the two from deadlocking. 410 when a newer request replaced the change or it was
/// used meanwhile.
pub async fn hold(conn: &mut PgConnection, change: &PendingChange) -> Result<(), ApiError> {
    let held: Option<Uuid> =
        sqlx::query_scalar("select id from email_changes where id = $1 for update")
            .bind(change.id)
            .fetch_optional(conn)
            .await?;
    held.map(|_| ()).ok_or_else(|| {
        ApiError::new(
            ProblemKind::Gone,
            "This link was replaced by a newer one or used already",
        )
    })
}

/// The address a person is moving to, if a change is pending.
pub async fn pending_email(
    conn: &mut PgConnection,
    person_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select new_email from email_changes where person_id = $1")
        .bind(person_id)
        .fetch_optional(conn)
        .await
}

/// Ends a change once it was applied: its link stops working.
pub async fn finish(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from email_changes where id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}
