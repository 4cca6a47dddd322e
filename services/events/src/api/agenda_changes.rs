//! Attendees of a published event hear of its agenda's changes: a request that changes a
//! public agenda (a session edited, cancelled or placed in a slot) announces it once.

use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::ApiError;
use shared_domain::contracts::events::AgendaChanged;
use sqlx::PgConnection;

use crate::store::events::EventRecord;

/// Announces `AgendaChanged` when `event`'s agenda is public.
pub async fn announce(
    conn: &mut PgConnection,
    event: &EventRecord,
    context: &EventContext,
) -> Result<(), ApiError> {
    if event.status().is_public() {
        let changed = AgendaChanged {
            event_id: event.id,
            changed_at: Utc::now(),
        };
        enqueue(conn, &changed, context).await?;
    }
    Ok(())
}
