//! The link that moves a partner contact to a new address when a partner integration
//! changes it: mailed to the new address by the notifications context (the current address
//! is told), opened as a page and followed with a post (`service_kit::email_change` keeps
//! it). Organizers change an address at once.

use async_trait::async_trait;
use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::email_change::{self, PendingChange};
use service_kit::email_change_page::AddressBook;
use service_kit::{person_keys, ApiError};
use shared_domain::contracts::partners::PartnerContactEmailChangeRequested;
use shared_domain::contracts::Address;
use shared_domain::Parse;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::store;

/// Records the change (replacing an earlier one) and announces the link to mail.
pub async fn request(
    conn: &mut PgConnection,
    contact_id: Uuid,
    partner_id: Uuid,
    new_email: &str,
    context: &EventContext,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let (change, token) = email_change::start(conn, contact_id, new_email, now).await?;
    let Some(token) = token else {
        return Ok(());
    };
    let address = Address {
        email: change.new_email,
    };
    let requested = PartnerContactEmailChangeRequested {
        change_id: change.id,
        contact_id,
        partner_id,
        new_email: person_keys::seal(conn, contact_id, &address).await?,
        confirmation_token: token,
        expires_at: change.expires_at,
        requested_at: now,
    };
    enqueue(conn, &requested, context).await?;
    Ok(())
}

/// The pending change of a token (404 unknown, 410 expired) and the contact's language.
pub async fn pending(pool: &PgPool, token: &str) -> Result<(PendingChange, String), ApiError> {
    let mut conn = pool.acquire().await?;
    let change = email_change::live(&mut conn, token).await?;
    let language = store::contacts::fetch(&mut *conn, change.person_id)
        .await?
        .map_or_else(
            || "de".into(),
            |c| shared_domain::names::enum_name(&*c.language),
        );
    Ok((change, language))
}

/// Follows the link: the contact's address becomes the new one (announced to the other
/// contexts) and the link stops working.
pub async fn confirm(
    pool: &PgPool,
    token: &str,
    context: &EventContext,
) -> Result<String, ApiError> {
    let mut tx = pool.begin().await?;
    let change = email_change::live(&mut tx, token).await?;
    let current = store::contacts::fetch(&mut *tx, change.person_id)
        .await?
        .ok_or_else(|| ApiError::not_found("This contact no longer exists"))?;
    let current = store::contacts::lock(&mut tx, current.partner_id, current.id)
        .await?
        .ok_or_else(|| ApiError::not_found("This contact no longer exists"))?;
    email_change::hold(&mut tx, &change).await?;
    let language = shared_domain::names::enum_name(&*current.language);
    let mut fields = current.fields();
    fields.email = change.new_email.clone();
    let fields = fields.into_valid().map_err(ApiError::validation)?;
    let now = Utc::now();
    store::contacts::update(&mut tx, current.id, &fields, now).await?;
    email_change::finish(&mut tx, change.id).await?;
    let record = store::contacts::lock(&mut tx, current.partner_id, current.id)
        .await?
        .ok_or_else(|| ApiError::not_found("This contact no longer exists"))?;
    crate::announce::contact(&mut tx, &record, now, context).await?;
    tx.commit().await?;
    Ok(language)
}

/// The partners service's pending contact address changes, for the confirmation page.
#[derive(Clone)]
pub struct Contacts(pub PgPool);

#[async_trait]
impl AddressBook for Contacts {
    async fn pending(&self, token: &str) -> Result<(String, String), ApiError> {
        let (change, language) = pending(&self.0, token).await?;
        Ok((change.new_email, language))
    }

    async fn confirm(&self, token: &str, context: &EventContext) -> Result<String, ApiError> {
        confirm(&self.0, token, context).await
    }
}
