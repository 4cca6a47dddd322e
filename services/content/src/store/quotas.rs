//! Storage quotas and their usage log.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::quota::QuotaRole;

/// A quota as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuotaRecord {
    pub id: Uuid,
    pub user_id: String,
    pub user_role: Stored<QuotaRole>,
    pub quota_limit_bytes: i64,
    pub current_usage_bytes: i64,
    pub file_count: i32,
    pub speaker_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub attendee_id: Option<Uuid>,
    pub quota_warning_issued: bool,
    pub quota_exceeded_at: Option<DateTime<Utc>>,
    pub last_updated: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, user_id, user_role, quota_limit_bytes, current_usage_bytes, file_count, speaker_id, \
     company_id, attendee_id, quota_warning_issued, quota_exceeded_at, last_updated";

/// Who holds a quota.
pub struct Holder<'a> {
    pub user_id: &'a str,
    pub role: QuotaRole,
    pub limit: i64,
    pub speaker_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub attendee_id: Option<Uuid>,
}

/// The holder's quota (created on first use, its limit following the configuration),
/// locked until the transaction ends.
pub async fn lock_for(
    conn: &mut PgConnection,
    h: &Holder<'_>,
    now: DateTime<Utc>,
) -> Result<QuotaRecord, sqlx::Error> {
    sqlx::query_as(&format!(
        "insert into storage_quotas (id, user_id, user_role, quota_limit_bytes, speaker_id, company_id, attendee_id, last_updated) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) \
         on conflict (user_id) do update set user_role = excluded.user_role, quota_limit_bytes = excluded.quota_limit_bytes, \
         speaker_id = excluded.speaker_id, company_id = excluded.company_id, attendee_id = excluded.attendee_id \
         returning {COLUMNS}"
    ))
    .bind(shared_domain::new_id())
    .bind(h.user_id)
    .bind(Stored(h.role))
    .bind(h.limit)
    .bind(h.speaker_id)
    .bind(h.company_id)
    .bind(h.attendee_id)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Quota `id`, locked.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<QuotaRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from storage_quotas where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The quota of `user`.
pub async fn of_user(
    db: impl PgExecutor<'_>,
    user: &str,
) -> Result<Option<QuotaRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from storage_quotas where user_id = $1"
    ))
    .bind(user)
    .fetch_optional(db)
    .await
}

/// Adds `bytes` (negative for a deletion) and `files` to quota `id`, sets the warning
/// flag and the exceeded time, and logs the change; answers the quota after it.
#[allow(clippy::too_many_arguments)]
pub async fn change_usage(
    conn: &mut PgConnection,
    quota: &QuotaRecord,
    file_id: Uuid,
    bytes: i64,
    files: i32,
    warning_issued: bool,
    now: DateTime<Utc>,
) -> Result<QuotaRecord, sqlx::Error> {
    let after: QuotaRecord = sqlx::query_as(&format!(
        "update storage_quotas set current_usage_bytes = greatest(0, current_usage_bytes + $2), \
         file_count = greatest(0, file_count + $3), quota_warning_issued = $4, last_updated = $5, \
         quota_exceeded_at = case when current_usage_bytes + $2 > quota_limit_bytes then coalesce(quota_exceeded_at, $5) end \
         where id = $1 returning {COLUMNS}"
    ))
    .bind(quota.id)
    .bind(bytes)
    .bind(files)
    .bind(warning_issued)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "insert into storage_usage_log (id, user_id, file_id, action, file_size_bytes, new_total_usage_bytes, logged_at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(shared_domain::new_id())
    .bind(&quota.user_id)
    .bind(file_id)
    .bind(if bytes >= 0 { "upload" } else { "delete" })
    .bind(bytes.abs())
    .bind(after.current_usage_bytes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(after)
}

/// A usage log entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UsageEntry {
    pub file_id: Uuid,
    pub action: String,
    pub file_size_bytes: i64,
    pub new_total_usage_bytes: i64,
    pub logged_at: DateTime<Utc>,
}

/// The latest usage log entries of `user`, newest first.
pub async fn usage_log(
    db: impl PgExecutor<'_>,
    user: &str,
    limit: i64,
) -> Result<Vec<UsageEntry>, sqlx::Error> {
    sqlx::query_as(
        "select file_id, action, file_size_bytes, new_total_usage_bytes, logged_at from storage_usage_log \
         where user_id = $1 order by logged_at desc, id limit $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(db)
    .await
}
