//! The newsletter links in mails, shared by the JSON API (`/api/v1/newsletter/confirm`,
//! `/unsubscribe`) and the pages the links open (`/newsletter/confirm`, `/unsubscribe`):
//! a token confirms a pending subscription or ends one. Tokens are single-purpose secrets;
//! only their hashes are stored.

use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::{ApiError, ProblemKind};
use sha2::{Digest, Sha256};
use shared_domain::contracts::attendees::{
    NewsletterConfirmationRequested, NewsletterSubscriptionChanged,
};
use shared_domain::contracts::Known;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::newsletter::{self, SubscriptionStatus};
use crate::store;
use crate::store::newsletter::SubscriptionRecord;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    Confirm,
    Unsubscribe,
}

/// A fresh link token.
fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// The stored form of a token.
fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Starts a pending subscription with its two link tokens (only their hashes are stored)
/// and announces the confirmation the notifications context mails.
pub async fn start_subscription(
    conn: &mut PgConnection,
    attendee_id: Uuid,
    source: &str,
    context: &EventContext,
) -> Result<(), ApiError> {
    let (id, now) = (shared_domain::new_id(), Utc::now());
    let (confirmation_token, unsubscribe_token) = (new_token(), new_token());
    let (confirm_hash, unsubscribe_hash) = (hash(&confirmation_token), hash(&unsubscribe_token));
    store::newsletter::insert_pending(
        conn,
        id,
        attendee_id,
        &confirm_hash,
        &unsubscribe_hash,
        source,
        now,
    )
    .await?;
    let requested = NewsletterConfirmationRequested {
        subscription_id: id,
        attendee_id,
        confirmation_token,
        unsubscribe_token,
        requested_at: now,
    };
    enqueue(conn, &requested, context).await?;
    Ok(())
}

/// The subscription a token of `action` belongs to (404 when none).
pub async fn subscription_of(
    pool: &PgPool,
    token: &str,
    action: LinkAction,
) -> Result<SubscriptionRecord, ApiError> {
    let mut conn = pool.acquire().await?;
    store::newsletter::lock_by_token(&mut conn, &hash(token), action == LinkAction::Unsubscribe)
        .await?
        .ok_or_else(|| ApiError::not_found("This link is not valid"))
}

/// The language of the subscriber, for pages (German when unknown).
pub async fn language_of(pool: &PgPool, subscription: &SubscriptionRecord) -> String {
    store::attendees::fetch_attendee(pool, subscription.attendee_id)
        .await
        .ok()
        .flatten()
        .map_or_else(|| "de".into(), |a| a.language)
}

/// Follows a link: confirms or ends the subscription (once; following it again changes
/// nothing) and announces the change. Confirming an ended subscription, or a pending one
/// past its confirmation days, is gone (410).
pub async fn follow(
    pool: &PgPool,
    token: &str,
    action: LinkAction,
    context: &EventContext,
) -> Result<SubscriptionRecord, ApiError> {
    let unsubscribe = action == LinkAction::Unsubscribe;
    let mut tx = pool.begin().await?;
    let subscription = store::newsletter::lock_by_token(&mut tx, &hash(token), unsubscribe)
        .await?
        .ok_or_else(|| ApiError::not_found("This link is not valid"))?;
    let target = match action {
        LinkAction::Confirm => SubscriptionStatus::Confirmed,
        LinkAction::Unsubscribe => SubscriptionStatus::Unsubscribed,
    };
    let now = Utc::now();
    if action == LinkAction::Confirm
        && newsletter::past_confirmation(*subscription.status, subscription.requested_at, now)
    {
        return Err(ApiError::new(
            ProblemKind::Gone,
            "This confirmation link has expired; subscribe again",
        ));
    }
    let next = newsletter::follow(*subscription.status, target).map_err(|_| {
        ApiError::new(
            ProblemKind::Gone,
            "This subscription was ended; subscribe again",
        )
    })?;
    if let Some(status) = next {
        store::newsletter::set_status(&mut tx, &subscription, status, now).await?;
        let changed = NewsletterSubscriptionChanged {
            subscription_id: subscription.id,
            attendee_id: subscription.attendee_id,
            status: Known::of(&status),
            changed_at: now,
        };
        enqueue(&mut tx, &changed, context).await?;
    }
    let record = store::newsletter::lock_by_token(&mut tx, &hash(token), unsubscribe)
        .await?
        .ok_or_else(|| ApiError::internal("subscription vanished"))?;
    tx.commit().await?;
    Ok(record)
}
