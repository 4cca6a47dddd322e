//! The link that moves an attendee to a new address: requested by a profile change,
//! mailed to the new address by the notifications context (the current address is told),
//! opened as a page and followed with a post. Tokens are single-purpose secrets; only their
//! hashes are stored.

use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::{ApiError, ProblemKind};
use sha2::{Digest, Sha256};
use shared_domain::contracts::attendees::AttendeeEmailChangeRequested;
use shared_domain::Parse;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::email_change::{link_works, LINK_LIFETIME};
use crate::store;
use crate::store::email_changes::PendingChange;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Records the change (replacing an earlier one) and announces the link to mail.
pub async fn request(
    conn: &mut PgConnection,
    attendee_id: Uuid,
    new_email: &str,
    context: &EventContext,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let change = PendingChange {
        id: shared_domain::new_id(),
        attendee_id,
        new_email: new_email.to_lowercase(),
        expires_at: now + LINK_LIFETIME,
    };
    store::email_changes::replace(conn, &change, &hash(&token), now).await?;
    let requested = AttendeeEmailChangeRequested {
        change_id: change.id,
        attendee_id,
        new_email: change.new_email,
        confirmation_token: token,
        expires_at: change.expires_at,
        requested_at: now,
    };
    enqueue(conn, &requested, context).await?;
    Ok(())
}

/// The pending change of a token (404 unknown, 410 expired) and the attendee's language.
pub async fn pending(pool: &PgPool, token: &str) -> Result<(PendingChange, String), ApiError> {
    let mut conn = pool.acquire().await?;
    let change = live(&mut conn, token).await?;
    let language = store::attendees::fetch_attendee(&mut *conn, change.attendee_id)
        .await?
        .map_or_else(|| "de".into(), |a| a.language);
    Ok((change, language))
}

async fn live(conn: &mut PgConnection, token: &str) -> Result<PendingChange, ApiError> {
    let change = store::email_changes::lock_by_token(conn, &hash(token))
        .await?
        .ok_or_else(|| ApiError::not_found("This link is not valid"))?;
    if !link_works(change.expires_at, Utc::now()) {
        return Err(ApiError::new(
            ProblemKind::Gone,
            "This link has expired; change the address in your profile again",
        ));
    }
    Ok(change)
}

/// Follows the link: the attendee's address becomes the new one (announced to the other
/// contexts) and the link stops working. An address another profile holds is refused.
pub async fn confirm(
    pool: &PgPool,
    token: &str,
    context: &EventContext,
) -> Result<String, ApiError> {
    let mut tx = pool.begin().await?;
    let change = live(&mut tx, token).await?;
    let current = store::attendees::lock_attendee(&mut tx, change.attendee_id)
        .await?
        .filter(|a| a.erased_at.is_none())
        .ok_or_else(|| ApiError::new(ProblemKind::Gone, "This profile no longer exists"))?;
    let mut fields = current.fields();
    fields.email = change.new_email.clone();
    let fields = fields.into_valid().map_err(ApiError::validation)?;
    let now = Utc::now();
    store::attendees::update_attendee(&mut tx, change.attendee_id, &fields, now)
        .await?
        .ok_or_else(|| ApiError::conflict("This address belongs to another profile"))?;
    store::email_changes::delete(&mut tx, change.id).await?;
    let changed = crate::announce::profile_changed(change.attendee_id, &fields, now);
    enqueue(&mut tx, &changed, context).await?;
    tx.commit().await?;
    Ok(current.language)
}
