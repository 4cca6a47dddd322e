//! The content saga on the events side: a session's materials as the content context
//! announces them (`SessionMaterialsChanged`, the latest version per session), shown on
//! the published agenda once organizers published them. Storing a newer version announces
//! the change to the agenda cache (`agenda::cache`), so cached renderings are replaced.

use event_bus::{Envelope, ReactionError};
use shared_domain::contracts::content::SessionMaterialsChanged;
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;

use crate::store;

/// Applies a content event; false for any other event.
pub async fn apply(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ReactionError> {
    match envelope.event_type.as_str() {
        SessionMaterialsChanged::EVENT_TYPE => {
            let e: SessionMaterialsChanged = envelope.decode()?;
            store::materials::upsert_materials(conn, &e).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}
