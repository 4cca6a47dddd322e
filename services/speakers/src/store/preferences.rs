//! Speakers' slot preferences per event, replaced by each submission.

use chrono::{DateTime, Utc};
use shared_domain::Valid;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::preferences::SlotPreferences;

/// Stores the speaker's preferences for the event (the latest submission wins).
pub async fn upsert_preferences(
    conn: &mut PgConnection,
    speaker_id: Uuid,
    event_id: Uuid,
    preferences: &Valid<SlotPreferences>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into speaker_slot_preferences (speaker_id, event_id, preferences, submitted_at, last_updated_at) values ($1, $2, $3, $4, $4) \
         on conflict (speaker_id, event_id) do update set preferences = excluded.preferences, last_updated_at = excluded.last_updated_at",
    )
    .bind(speaker_id)
    .bind(event_id)
    .bind(Json(&**preferences))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
