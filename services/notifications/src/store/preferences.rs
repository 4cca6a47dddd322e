//! Notification preferences per person, channel and type (`all`: the person's default).

use chrono::{DateTime, NaiveTime, Utc};
use service_kit::Stored;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::schedule::{Preference, QuietHours};
use crate::domain::{Channel, Frequency};

#[derive(Debug, Clone, FromRow)]
pub struct PreferenceRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub channel: Stored<Channel>,
    pub notification_type: String,
    pub is_enabled: bool,
    pub frequency: Stored<Frequency>,
    pub quiet_hours_start: Option<NaiveTime>,
    pub quiet_hours_end: Option<NaiveTime>,
    pub updated_at: DateTime<Utc>,
}

impl PreferenceRow {
    pub fn preference(&self) -> Preference {
        Preference {
            is_enabled: self.is_enabled,
            frequency: *self.frequency,
            quiet_hours: self
                .quiet_hours_start
                .zip(self.quiet_hours_end)
                .map(|(start, end)| QuietHours { start, end }),
        }
    }
}

const COLUMNS: &str = "id, user_id, channel, notification_type, is_enabled, frequency, quiet_hours_start, quiet_hours_end, updated_at";

pub async fn list_preferences<'e>(
    executor: impl PgExecutor<'e>,
    user_id: Uuid,
) -> sqlx::Result<Vec<PreferenceRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from notification_preferences where user_id = $1 order by channel, notification_type"
    ))
    .bind(user_id)
    .fetch_all(executor)
    .await
}

/// Sets one preference (insert or replace).
pub async fn upsert_preference(
    conn: &mut PgConnection,
    row: &PreferenceRow,
) -> sqlx::Result<PreferenceRow> {
    sqlx::query_as(&format!(
        "insert into notification_preferences ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (user_id, channel, notification_type) do update set
             is_enabled = excluded.is_enabled, frequency = excluded.frequency,
             quiet_hours_start = excluded.quiet_hours_start, quiet_hours_end = excluded.quiet_hours_end,
             updated_at = excluded.updated_at
         returning {COLUMNS}"
    ))
    .bind(row.id)
    .bind(row.user_id)
    .bind(row.channel)
    .bind(&row.notification_type)
    .bind(row.is_enabled)
    .bind(row.frequency)
    .bind(row.quiet_hours_start)
    .bind(row.quiet_hours_end)
    .bind(row.updated_at)
    .fetch_one(conn)
    .await
}

/// The email preference that applies to `notification_type`: its own, else the default.
pub async fn email_preference(
    conn: &mut PgConnection,
    user_id: Uuid,
    notification_type: &str,
) -> sqlx::Result<Option<Preference>> {
    let row: Option<PreferenceRow> = sqlx::query_as(&format!(
        "select {COLUMNS} from notification_preferences
         where user_id = $1 and channel = $3 and notification_type in ($2, 'all')
         order by notification_type = 'all' limit 1"
    ))
    .bind(user_id)
    .bind(notification_type)
    .bind(Stored(Channel::Email))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.preference()))
}
