//! Role grants, role change requests and their approvals.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::roles::{PlatformRole, RequestStatus};

/// A grant of a role, active or revoked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRecord {
    pub id: Uuid,
    pub user_id: String,
    pub role: Stored<PlatformRole>,
    pub event_id: Option<Uuid>,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub reason: Option<String>,
    pub is_active: bool,
}

/// A role change request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRecord {
    pub id: Uuid,
    pub user_id: String,
    pub event_id: Option<Uuid>,
    pub current_role: Stored<PlatformRole>,
    pub requested_role: Stored<PlatformRole>,
    pub requested_by: String,
    pub requires_approval: bool,
    pub reason: String,
    pub status: Stored<RequestStatus>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

const ROLE_COLUMNS: &str = "id, user_id, role, event_id, granted_by, granted_at, revoked_at, revoked_by, reason, is_active";
const REQUEST_COLUMNS: &str = "id, user_id, event_id, \"current_role\", requested_role, requested_by, requires_approval, reason, \
    status, created_at, expires_at, decided_at";

/// Serializes every organizer-count decision of one scope (global or one event) until the
/// transaction ends, so two concurrent demotions are decided one after the other.
pub async fn lock_organizer_scope(
    conn: &mut PgConnection,
    event_id: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "select pg_advisory_xact_lock(hashtext('organizers:' || coalesce($1::text, 'global')))",
    )
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Active organizers of a scope.
pub async fn count_active_organizers(
    conn: &mut PgConnection,
    event_id: Option<Uuid>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from user_roles where role = $2 and is_active and event_id is not distinct from $1")
        .bind(event_id)
        .bind(Stored(PlatformRole::Organizer))
        .fetch_one(conn)
        .await
}

/// Grants a role; `None` when the user already holds it actively in that scope.
pub async fn insert_role(
    conn: &mut PgConnection,
    grant: &RoleRecord,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into user_roles (id, user_id, role, event_id, granted_by, granted_at, reason, is_active, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, true, $8, $8) on conflict do nothing",
    )
    .bind(grant.id)
    .bind(&grant.user_id)
    .bind(grant.role)
    .bind(grant.event_id)
    .bind(&grant.granted_by)
    .bind(grant.granted_at)
    .bind(&grant.reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(grant.id))
}

/// The active grant of `role` for `user_id` in a scope, locked.
pub async fn lock_active_role(
    conn: &mut PgConnection,
    user_id: &str,
    role: PlatformRole,
    event_id: Option<Uuid>,
) -> Result<Option<RoleRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {ROLE_COLUMNS} from user_roles where user_id = $1 and role = $2 and event_id is not distinct from $3 and is_active for update"
    ))
    .bind(user_id)
    .bind(Stored(role))
    .bind(event_id)
    .fetch_optional(conn)
    .await
}

/// One grant, locked.
pub async fn lock_role(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<RoleRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {ROLE_COLUMNS} from user_roles where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Revokes a grant (kept as history).
pub async fn revoke_role(
    conn: &mut PgConnection,
    id: Uuid,
    revoked_by: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update user_roles set is_active = false, revoked_at = $2, revoked_by = $3, reason = coalesce($4, reason), updated_at = $2 where id = $1")
        .bind(id)
        .bind(now)
        .bind(revoked_by)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Grants and revocations, newest first, filtered by user and activity, after the id `after`.
pub async fn list_roles(
    db: impl PgExecutor<'_>,
    user_id: Option<&str>,
    active_only: bool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<RoleRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {ROLE_COLUMNS} from user_roles where ($1::text is null or user_id = $1) and (not $2 or is_active) \
         and ($3::uuid is null or id < $3) order by id desc limit $4"
    ))
    .bind(user_id)
    .bind(active_only)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Stores a new request.
pub async fn insert_request(conn: &mut PgConnection, r: &RequestRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into role_change_requests (id, user_id, event_id, \"current_role\", requested_role, requested_by, requires_approval, \
         reason, status, created_at, expires_at, decided_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(r.id)
    .bind(&r.user_id)
    .bind(r.event_id)
    .bind(r.current_role)
    .bind(r.requested_role)
    .bind(&r.requested_by)
    .bind(r.requires_approval)
    .bind(&r.reason)
    .bind(r.status)
    .bind(r.created_at)
    .bind(r.expires_at)
    .bind(r.decided_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// One request, optionally locked for a decision.
pub async fn fetch_request(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<RequestRecord>, sqlx::Error> {
    let suffix = if lock { " for update" } else { "" };
    sqlx::query_as(&format!(
        "select {REQUEST_COLUMNS} from role_change_requests where id = $1{suffix}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Requests newest first, after the id `after`.
pub async fn list_requests(
    db: impl PgExecutor<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<RequestRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {REQUEST_COLUMNS} from role_change_requests where ($1::uuid is null or id < $1) order by id desc limit $2"))
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// Records a decision on a request.
pub async fn decide_request(
    conn: &mut PgConnection,
    id: Uuid,
    status: RequestStatus,
    approver: &str,
    approved: bool,
    comments: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update role_change_requests set status = $2, decided_at = $3 where id = $1")
        .bind(id)
        .bind(Stored(status))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into role_change_approvals (id, role_change_request_id, approved_by, approved, comments, approved_at) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shared_domain::new_id())
    .bind(id)
    .bind(approver)
    .bind(approved)
    .bind(comments)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
