//! Handler of `/api/v1/storage-quotas/me`: the caller's quota, usage and latest log.

use axum::extract::State;
use chrono::Utc;
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json};

use super::dto::{QuotaInfo, UsageLogEntry};
use super::{uploader, AppState};
use crate::store::{files, quotas};

/// How many usage log entries the answer shows.
const LOG_ENTRIES: i64 = 20;

/// The caller's storage quota (organizers: unlimited).
#[utoipa::path(get, path = "/api/v1/storage-quotas/me", tag = "storage-quotas",
    responses((status = 200, body = QuotaInfo), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn my_quota(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<QuotaInfo>, ApiError> {
    let role = uploader(Some(&actor))
        .quota_role()
        .ok_or_else(|| ApiError::forbidden("no storage for this caller"))?;
    let mut conn = state.pool.acquire().await?;
    let pending = files::pending_bytes(&mut conn, &actor.subject, Utc::now()).await?;
    let Some(limit) = state.settings.quotas.limit_for(role) else {
        return Ok(Json(QuotaInfo::unlimited(pending)));
    };
    let quota = quotas::of_user(&mut *conn, &actor.subject).await?;
    let log = quotas::usage_log(&mut *conn, &actor.subject, LOG_ENTRIES)
        .await?
        .into_iter()
        .map(|e| UsageLogEntry {
            file_id: e.file_id,
            action: e.action,
            file_size_bytes: e.file_size_bytes,
            new_total_usage_bytes: e.new_total_usage_bytes,
            timestamp: e.logged_at,
        })
        .collect();
    Ok(Json(QuotaInfo::limited(
        limit,
        quota.as_ref(),
        pending,
        log,
    )))
}
