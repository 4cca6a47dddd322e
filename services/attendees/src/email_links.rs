//! The link that moves an attendee to a new address: requested by a profile change,
//! mailed to the new address by the notifications context (the current address is told),
//! opened as a page and followed with a post (`service_kit::email_change` keeps it).

use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::email_change::{self, PendingChange};
use service_kit::{person_keys, ApiError, ProblemKind};
use shared_domain::contracts::attendees::AttendeeEmailChangeRequested;
use shared_domain::contracts::Address;
use shared_domain::Parse;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::store;

/// Records the change (replacing an earlier one) and announces the link to mail.
pub async fn request(
    conn: &mut PgConnection,
    attendee_id: Uuid,
    new_email: &str,
    context: &EventContext,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let (change, token) = email_change::start(conn, attendee_id, new_email, now).await?;
    let Some(token) = token else {
        return Ok(());
    };
    let requested = AttendeeEmailChangeRequested {
        change_id: change.id,
        attendee_id,
        new_email: person_keys::seal(
            conn,
            attendee_id,
            &Address {
                email: change.new_email,
            },
        )
        .await?,
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
    let change = email_change::live(&mut conn, token).await?;
    let language = store::attendees::fetch_attendee(&mut *conn, change.person_id)
        .await?
        .map_or_else(|| "de".into(), |a| a.language);
    Ok((change, language))
}

/// Follows the link: the attendee's address becomes the new one (announced to the other
/// contexts) and the link stops working. An address another profile holds is refused.
pub async fn confirm(
    pool: &PgPool,
    token: &str,
    context: &EventContext,
) -> Result<String, ApiError> {
    let mut tx = pool.begin().await?;
    let change = email_change::live(&mut tx, token).await?;
    let current = store::attendees::lock_attendee(&mut tx, change.person_id)
        .await?
        .filter(|a| a.erased_at.is_none())
        .ok_or_else(|| ApiError::new(ProblemKind::Gone, "This profile no longer exists"))?;
    email_change::hold(&mut tx, &change).await?;
    let mut fields = current.fields();
    fields.email = change.new_email.clone();
    let fields = fields.into_valid().map_err(ApiError::validation)?;
    let now = Utc::now();
    store::attendees::update_attendee(&mut tx, change.person_id, &fields, now)
        .await?
        .ok_or_else(|| ApiError::conflict("This address belongs to another profile"))?;
    email_change::finish(&mut tx, change.id).await?;
    crate::announce::profile(&mut tx, change.person_id, &fields, now, context).await?;
    tx.commit().await?;
    Ok(current.language)
}

/// The attendees service's pending address changes, for the confirmation page.
#[derive(Clone)]
pub struct Attendees(pub PgPool);

#[async_trait::async_trait]
impl service_kit::email_change_page::AddressBook for Attendees {
    async fn pending(&self, token: &str) -> Result<(String, String), ApiError> {
        let (change, language) = pending(&self.0, token).await?;
        Ok((change.new_email, language))
    }

    async fn confirm(&self, token: &str, context: &EventContext) -> Result<String, ApiError> {
        confirm(&self.0, token, context).await
    }
}
