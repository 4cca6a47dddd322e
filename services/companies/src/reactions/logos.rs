//! The companies step of the content saga: a company's logo follows the content context's
//! uploads and deletions of company logos (`batbern.content.v1`, keyed by the company, so one
//! company's files arrive in order). Each step runs in the inbox transaction under the
//! company's row lock; a redelivered upload finds its file recorded and changes nothing.

use chrono::Utc;
use event_bus::{EventContext, ReactionError};
use shared_domain::contracts::content::{ContentDeleted, ContentUploaded};
use sqlx::PgConnection;

use super::announce_current;
use crate::domain::logo::{self, LogoUpload, UploadStamp};
use crate::store;

/// Records an uploaded company logo; the newest upload becomes the company's logo and is
/// announced. A logo of a company this service does not know is skipped, not parked: no
/// redelivery would make it known.
pub(super) async fn on_content_uploaded(
    conn: &mut PgConnection,
    e: ContentUploaded,
    context: &EventContext,
) -> Result<(), ReactionError> {
    if !logo::is_company_logo(&e.content_type, &e.owner_kind) {
        return Ok(());
    }
    if store::lock_company(conn, e.owner_id).await?.is_none() {
        tracing::info!(company = %e.owner_id, file = %e.file_id, "logo of an unknown company skipped");
        return Ok(());
    }
    let Some(public_url) = logo::public_address(e.public_url.as_deref()) else {
        tracing::warn!(company = %e.owner_id, file = %e.file_id, "logo without a public address skipped");
        return Ok(());
    };
    let upload = UploadStamp {
        uploaded_at: e.uploaded_at,
        file_id: e.file_id,
    };
    let newest = store::logos::fetch_newest(conn, e.owner_id).await?;
    let decision = logo::decide_upload(upload, newest);
    if !store::logos::insert_logo(conn, shared_domain::new_id(), &e, public_url).await? {
        return Ok(());
    }
    if decision == LogoUpload::Superseded {
        tracing::info!(company = %e.owner_id, file = %e.file_id, "older logo upload kept on record only");
        return Ok(());
    }
    store::logos::make_current(conn, e.owner_id, e.file_id).await?;
    store::touch_logo(conn, e.owner_id, Utc::now()).await?;
    announce_current(conn, e.owner_id, context).await
}

/// Clears the company's logo when its current logo file was deleted (replaced, erased) and
/// announces the company without one; a file that is not the current logo changes nothing.
pub(super) async fn on_content_deleted(
    conn: &mut PgConnection,
    e: ContentDeleted,
    context: &EventContext,
) -> Result<(), ReactionError> {
    if !logo::is_company_logo(&e.content_type, &e.owner_kind) {
        return Ok(());
    }
    if store::lock_company(conn, e.owner_id).await?.is_none() {
        tracing::info!(company = %e.owner_id, file = %e.file_id, "logo deletion of an unknown company skipped");
        return Ok(());
    }
    if !store::logos::clear_current(conn, e.owner_id, e.file_id).await? {
        return Ok(());
    }
    store::touch_logo(conn, e.owner_id, Utc::now()).await?;
    announce_current(conn, e.owner_id, context).await
}
