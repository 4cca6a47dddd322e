//! What the events context announces of a topic, from the topic handlers and from the
//! partner reactions alike (votes move its influence score, accepted suggestions create it).

use chrono::{DateTime, Utc};
use event_bus::outbox::{enqueue, OutboxError};
use event_bus::EventContext;
use shared_domain::contracts::events::TopicChanged;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::store;

/// Announces topic `id` as it is now (nothing when there is no such topic).
pub async fn topic(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), OutboxError> {
    let Some(topic) = store::topics::fetch_topic(&mut *conn, id).await? else {
        return Ok(());
    };
    let changed = TopicChanged {
        topic_id: id,
        category: topic.category.to_string(),
        title: topic.title,
        is_active: topic.is_active,
        partner_influence_score: topic.partner_influence_score,
        version: topic.version,
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    Ok(())
}
