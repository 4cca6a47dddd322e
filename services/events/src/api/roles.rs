//! Handlers of `/api/v1/roles` and `/api/v1/role-change-requests` (organizers only).
//!
//! Every decision that removes an organizer takes the scope's lock and counts the active
//! organizers inside the same transaction, so at least two stay active whatever runs
//! concurrently.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::Stored;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::events::{RoleGranted, RoleRevoked};
use shared_domain::contracts::Known;
use shared_domain::Validator;
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use crate::domain::roles::{self, PlatformRole, RequestStatus, RoleRuleError};
use crate::store::roles::{self as store, RequestRecord, RoleRecord};

impl From<RoleRuleError> for ApiError {
    fn from(error: RoleRuleError) -> Self {
        match error {
            RoleRuleError::OwnRequest(_) | RoleRuleError::OwnDemotion => {
                ApiError::forbidden(error.to_string())
            }
            _ => ApiError::conflict(error.to_string()),
        }
    }
}

/// Body of `POST /api/v1/roles`.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantRoleRequest {
    pub user_id: String,
    pub role: PlatformRole,
    /// Limits the role to one event.
    pub event_id: Option<Uuid>,
    pub reason: Option<String>,
}

/// Body of `POST /api/v1/roles/{id}/revoke`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokeRoleRequest {
    pub reason: String,
}

/// A role grant with its history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleResponse {
    pub id: Uuid,
    pub user_id: String,
    pub role: PlatformRole,
    pub event_id: Option<Uuid>,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub reason: Option<String>,
    pub is_active: bool,
}

impl From<RoleRecord> for RoleResponse {
    fn from(r: RoleRecord) -> Self {
        RoleResponse {
            id: r.id,
            role: *r.role,
            user_id: r.user_id,
            event_id: r.event_id,
            granted_by: r.granted_by,
            granted_at: r.granted_at,
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by,
            reason: r.reason,
            is_active: r.is_active,
        }
    }
}

/// Query of the role list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListRolesQuery {
    pub user_id: Option<String>,
    /// Only active grants (default false: the whole history).
    pub active_only: Option<bool>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Body of `POST /api/v1/role-change-requests`.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRoleChangeRequest {
    pub user_id: String,
    pub current_role: PlatformRole,
    pub requested_role: PlatformRole,
    pub event_id: Option<Uuid>,
    pub reason: String,
}

/// Body of approve / reject.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRequest {
    pub comments: Option<String>,
}

/// A role change request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleChangeResponse {
    pub id: Uuid,
    pub user_id: String,
    pub event_id: Option<Uuid>,
    pub current_role: PlatformRole,
    pub requested_role: PlatformRole,
    pub requested_by: String,
    pub requires_approval: bool,
    pub reason: String,
    /// `expired` once a pending request passes `expiresAt`.
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl RoleChangeResponse {
    fn at(r: RequestRecord, now: DateTime<Utc>) -> Self {
        RoleChangeResponse {
            id: r.id,
            status: roles::effective_status(*r.status, r.expires_at, now),
            current_role: *r.current_role,
            requested_role: *r.requested_role,
            user_id: r.user_id,
            event_id: r.event_id,
            requested_by: r.requested_by,
            requires_approval: r.requires_approval,
            reason: r.reason,
            created_at: r.created_at,
            expires_at: r.expires_at,
            decided_at: r.decided_at,
        }
    }
}

fn new_grant(
    user_id: &str,
    role: PlatformRole,
    event_id: Option<Uuid>,
    by: &str,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> RoleRecord {
    RoleRecord {
        id: shared_domain::new_id(),
        user_id: user_id.to_owned(),
        role: Stored(role),
        event_id,
        granted_by: by.to_owned(),
        granted_at: now,
        revoked_at: None,
        revoked_by: None,
        reason,
        is_active: true,
    }
}

async fn emit_granted(
    conn: &mut PgConnection,
    grant: &RoleRecord,
    context: &EventContext,
) -> Result<(), ApiError> {
    let granted = RoleGranted {
        role_id: grant.id,
        user_id: grant.user_id.clone(),
        role: Known::of(&*grant.role),
        event_id: grant.event_id,
        granted_by: grant.granted_by.clone(),
        granted_at: grant.granted_at,
    };
    enqueue(conn, &granted, context).await?;
    Ok(())
}

/// Moves `user_id` from `from` to `to` in a scope: the organizer minimum is checked under
/// the scope's lock before the old grant is revoked.
async fn change_role(
    conn: &mut PgConnection,
    request: &RequestRecord,
    decided_by: &str,
    context: &EventContext,
) -> Result<(), ApiError> {
    let now = Utc::now();
    store::lock_organizer_scope(conn, request.event_id).await?;
    let current = store::lock_active_role(
        conn,
        &request.user_id,
        *request.current_role,
        request.event_id,
    )
    .await?
    .ok_or_else(|| {
        ApiError::conflict(format!(
            "{} no longer holds the role {}",
            request.user_id, request.current_role
        ))
    })?;
    if *request.current_role == PlatformRole::Organizer {
        roles::may_remove_organizer(store::count_active_organizers(conn, request.event_id).await?)?;
    }
    store::revoke_role(conn, current.id, decided_by, Some(&request.reason), now).await?;
    let revoked = RoleRevoked {
        role_id: current.id,
        user_id: current.user_id.clone(),
        role: Known::of(&*current.role),
        event_id: current.event_id,
        revoked_by: decided_by.to_owned(),
        revoked_at: now,
    };
    enqueue(conn, &revoked, context).await?;
    let grant = new_grant(
        &request.user_id,
        *request.requested_role,
        request.event_id,
        decided_by,
        Some(request.reason.clone()),
        now,
    );
    if store::insert_role(conn, &grant, now).await?.is_some() {
        emit_granted(conn, &grant, context).await?;
    }
    Ok(())
}

/// Grants a role (organizers).
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", request_body = GrantRoleRequest,
    responses((status = 201, body = RoleResponse), (status = 409, description = "Already granted", body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn grant_role(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<GrantRoleRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let user_id = request.user_id.trim();
    if user_id.is_empty() || user_id.len() > 255 {
        return Err(ApiError::invalid_field(
            "userId",
            "must have 1 to 255 characters",
        ));
    }
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    if let Some(event_id) = request.event_id {
        crate::store::events::fetch_event(&mut *tx, event_id)
            .await?
            .ok_or_else(|| ApiError::invalid_field("eventId", "is not a known event"))?;
    }
    let now = Utc::now();
    let grant = new_grant(
        user_id,
        request.role,
        request.event_id,
        &actor.subject,
        request.reason,
        now,
    );
    store::insert_role(&mut tx, &grant, now)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(format!("{user_id} already holds this role in this scope"))
        })?;
    emit_granted(&mut tx, &grant, &context).await?;
    let stored = store::lock_role(&mut tx, grant.id)
        .await?
        .ok_or_else(|| ApiError::internal("granted role vanished"))?;
    let location = format!("/api/v1/roles/{}", stored.id);
    let answer = idempotency::created(location, None, &RoleResponse::from(stored));
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists grants with their history, newest first (organizers).
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", params(ListRolesQuery),
    responses((status = 200, body = Page<RoleResponse>)), security(("bearer" = [])))]
pub async fn list_roles(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListRolesQuery>,
) -> Result<Json<Page<RoleResponse>>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::list_roles(
        &state.pool,
        query.user_id.as_deref(),
        query.active_only.unwrap_or(false),
        page.after,
        page.fetch_limit(),
    )
    .await?;
    Ok(Json(
        Page::from_rows(rows, page.limit, |r| r.id).map(RoleResponse::from),
    ))
}

/// Revokes a grant (organizers). Organizer grants are changed only through an approved
/// role change request.
#[utoipa::path(post, path = "/api/v1/roles/{id}/revoke", tag = "roles", request_body = RevokeRoleRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = RoleResponse), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn revoke_role(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<RevokeRoleRequest>, ApiError>,
) -> Result<Json<RoleResponse>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    let role = store::lock_role(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no role grant {id}")))?;
    if *role.role == PlatformRole::Organizer {
        return Err(ApiError::conflict(
            "demoting an organizer needs a role change request approved by another organizer",
        ));
    }
    if role.is_active {
        let now = Utc::now();
        store::revoke_role(&mut tx, id, &actor.subject, Some(&request.reason), now).await?;
        let revoked = RoleRevoked {
            role_id: id,
            user_id: role.user_id.clone(),
            role: Known::of(&*role.role),
            event_id: role.event_id,
            revoked_by: actor.subject.clone(),
            revoked_at: now,
        };
        enqueue(&mut tx, &revoked, &context).await?;
    }
    let role = store::lock_role(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no role grant {id}")))?;
    tx.commit().await?;
    Ok(Json(RoleResponse::from(role)))
}

/// Requests a role change (organizers). Organizer demotions wait for another organizer's
/// approval for 7 days; other changes apply at once.
#[utoipa::path(post, path = "/api/v1/role-change-requests", tag = "roles", request_body = CreateRoleChangeRequest,
    responses((status = 201, body = RoleChangeResponse), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_role_change(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<CreateRoleChangeRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let mut v = Validator::new();
    if request.current_role == request.requested_role {
        v.reject("requestedRole", "must differ from currentRole");
    }
    let reason = v.paragraphs("reason", &request.reason, 2000);
    let reason = v.finish_with(reason).map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    if store::lock_active_role(
        &mut tx,
        &request.user_id,
        request.current_role,
        request.event_id,
    )
    .await?
    .is_none()
    {
        return Err(ApiError::invalid_field(
            "currentRole",
            format!("{} does not hold this role in this scope", request.user_id),
        ));
    }
    let now = Utc::now();
    let record = new_request(request, reason, &actor.subject, now);
    let requires_approval = record.requires_approval;
    store::insert_request(&mut tx, &record).await?;
    if !requires_approval {
        change_role(&mut tx, &record, &actor.subject, &context).await?;
    }
    let location = format!("/api/v1/role-change-requests/{}", record.id);
    let answer = idempotency::created(location, None, &RoleChangeResponse::at(record, now));
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// A role change request as stored: organizer demotions wait for approval, other changes
/// are approved at once.
fn new_request(
    request: CreateRoleChangeRequest,
    reason: String,
    by: &str,
    now: DateTime<Utc>,
) -> RequestRecord {
    let requires_approval = roles::requires_approval(request.current_role, request.requested_role);
    RequestRecord {
        id: shared_domain::new_id(),
        user_id: request.user_id,
        event_id: request.event_id,
        current_role: Stored(request.current_role),
        requested_role: Stored(request.requested_role),
        requested_by: by.to_owned(),
        requires_approval,
        reason,
        status: Stored(if requires_approval {
            RequestStatus::Pending
        } else {
            RequestStatus::Approved
        }),
        created_at: now,
        expires_at: roles::expiry(now),
        decided_at: (!requires_approval).then_some(now),
    }
}

/// Lists role change requests, newest first (organizers).
#[utoipa::path(get, path = "/api/v1/role-change-requests", tag = "roles", params(service_kit::pagination::PageQuery),
    responses((status = 200, body = Page<RoleChangeResponse>)), security(("bearer" = [])))]
pub async fn list_role_changes(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<service_kit::pagination::PageQuery>,
) -> Result<Json<Page<RoleChangeResponse>>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::list_requests(&state.pool, page.after, page.fetch_limit()).await?;
    let now = Utc::now();
    Ok(Json(
        Page::from_rows(rows, page.limit, |r| r.id).map(|r| RoleChangeResponse::at(r, now)),
    ))
}

async fn decide(
    state: AppState,
    actor: Actor,
    id: Uuid,
    approve: bool,
    body: Result<Json<DecisionRequest>, ApiError>,
    context: EventContext,
) -> Result<Json<RoleChangeResponse>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(DecisionRequest { comments }) = body?;
    let mut tx = state.pool.begin().await?;
    let request = store::fetch_request(&mut tx, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no role change request {id}")))?;
    let now = Utc::now();
    roles::may_decide(
        &actor.subject,
        &request.requested_by,
        &request.user_id,
        *request.status,
        request.expires_at,
        now,
    )?;
    if approve {
        change_role(&mut tx, &request, &actor.subject, &context).await?;
    }
    let status = if approve {
        RequestStatus::Approved
    } else {
        RequestStatus::Rejected
    };
    store::decide_request(
        &mut tx,
        id,
        status,
        &actor.subject,
        approve,
        comments.as_deref(),
        now,
    )
    .await?;
    let decided = store::fetch_request(&mut tx, id, false)
        .await?
        .ok_or_else(|| ApiError::internal("decided request vanished"))?;
    tx.commit().await?;
    Ok(Json(RoleChangeResponse::at(decided, now)))
}

/// Approves a pending request (another organizer than the requester and the target); for an
/// organizer demotion, refused when fewer than two organizers would remain.
#[utoipa::path(post, path = "/api/v1/role-change-requests/{id}/approve", tag = "roles", request_body = DecisionRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = RoleChangeResponse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, description = "Expired, decided, or too few organizers would remain", body = Problem)),
    security(("bearer" = [])))]
pub async fn approve_role_change(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<DecisionRequest>, ApiError>,
) -> Result<Json<RoleChangeResponse>, ApiError> {
    decide(state, actor, id, true, body, context).await
}

/// Rejects a pending request.
#[utoipa::path(post, path = "/api/v1/role-change-requests/{id}/reject", tag = "roles", request_body = DecisionRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = RoleChangeResponse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn reject_role_change(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<DecisionRequest>, ApiError>,
) -> Result<Json<RoleChangeResponse>, ApiError> {
    decide(state, actor, id, false, body, context).await
}
