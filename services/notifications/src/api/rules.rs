//! `/api/v1/escalation-rules`: organizers set, per event and rule type, when speakers are
//! reminded (tier 1/2/3 hours before the deadline) and when backup organizers are alerted.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::problem::{violated_constraint, Problem};
use service_kit::Stored;
use service_kit::{Actor, ApiError, Json, Path, Query};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{require_organizer, AppState};
use crate::domain::escalation::{RuleType, Tiers};
use crate::domain::NotificationError;
use crate::store::obligations;
use crate::store::rules::{self as store, RuleRow};
use shared_domain::validation::Validator;

/// An escalation rule.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    pub rule_type: RuleType,
    pub tier1_hours_before: i32,
    pub tier2_hours_before: i32,
    pub tier3_hours_before: i32,
    /// Minutes after the tier 3 time before backup organizers are alerted.
    pub escalation_threshold: Option<i32>,
    pub backup_organizer_ids: Vec<Uuid>,
    /// When speakers' material is due (speaker_deadline rules).
    pub material_deadline: Option<DateTime<Utc>>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<RuleRow> for RuleResponse {
    fn from(row: RuleRow) -> Self {
        Self {
            id: row.id,
            event_id: row.event_id,
            rule_type: *row.rule_type,
            tier1_hours_before: row.tier_1_hours_before,
            tier2_hours_before: row.tier_2_hours_before,
            tier3_hours_before: row.tier_3_hours_before,
            escalation_threshold: row.escalation_threshold,
            backup_organizer_ids: row.backup_organizer_ids,
            material_deadline: row.material_deadline,
            is_active: row.is_active,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// Body of create; update takes the same settings without event and type.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRuleRequest {
    pub event_id: Uuid,
    pub rule_type: RuleType,
    pub tier1_hours_before: i32,
    pub tier2_hours_before: i32,
    pub tier3_hours_before: i32,
    pub escalation_threshold: Option<i32>,
    #[serde(default)]
    pub backup_organizer_ids: Vec<Uuid>,
    /// Required for speaker_deadline rules.
    pub material_deadline: Option<DateTime<Utc>>,
}

impl CreateRuleRequest {
    fn settings(self) -> RuleSettings {
        RuleSettings {
            tier1_hours_before: self.tier1_hours_before,
            tier2_hours_before: self.tier2_hours_before,
            tier3_hours_before: self.tier3_hours_before,
            escalation_threshold: self.escalation_threshold,
            backup_organizer_ids: self.backup_organizer_ids,
            material_deadline: self.material_deadline,
        }
    }
}

/// The timing and the people of a rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSettings {
    pub tier1_hours_before: i32,
    pub tier2_hours_before: i32,
    pub tier3_hours_before: i32,
    pub escalation_threshold: Option<i32>,
    #[serde(default)]
    pub backup_organizer_ids: Vec<Uuid>,
    /// Required for speaker_deadline rules.
    pub material_deadline: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListRulesQuery {
    pub event_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<RuleResponse>,
}

fn validate(rule_type: RuleType, settings: &RuleSettings) -> Result<(), ApiError> {
    let tiers = Tiers {
        tier_1_hours: settings.tier1_hours_before,
        tier_2_hours: settings.tier2_hours_before,
        tier_3_hours: settings.tier3_hours_before,
        threshold_minutes: settings.escalation_threshold,
    };
    let mut v = Validator::new();
    tiers.check(&mut v);
    if let Some(deadline) = settings.material_deadline {
        v.plausible_time("materialDeadline", deadline);
    }
    if rule_type == RuleType::SpeakerDeadline && settings.material_deadline.is_none() {
        v.reject("materialDeadline", "is required for speaker_deadline rules");
    }
    if settings.backup_organizer_ids.len() > 20 {
        v.reject("backupOrganizerIds", "must name at most 20 organizers");
    }
    v.finish().map_err(ApiError::validation)
}

fn apply(row: &mut RuleRow, mut settings: RuleSettings) {
    // A backup named twice is alerted once.
    let mut seen = std::collections::HashSet::new();
    settings.backup_organizer_ids.retain(|id| seen.insert(*id));
    row.tier_1_hours_before = settings.tier1_hours_before;
    row.tier_2_hours_before = settings.tier2_hours_before;
    row.tier_3_hours_before = settings.tier3_hours_before;
    row.escalation_threshold = settings.escalation_threshold;
    row.backup_organizer_ids = settings.backup_organizer_ids;
    row.material_deadline = settings.material_deadline;
}

fn one_active(error: sqlx::Error) -> ApiError {
    if violated_constraint(&error) == Some("escalation_rules_one_active") {
        ApiError::conflict(
            "This event already has an active rule of this type; update or deactivate it",
        )
    } else {
        error.into()
    }
}

/// Creates a rule (organizers); one active rule per event and type.
#[utoipa::path(post, path = "/api/v1/escalation-rules", tag = "escalation-rules", request_body = CreateRuleRequest,
    responses((status = 201, body = RuleResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_rule(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: Result<Json<CreateRuleRequest>, ApiError>,
) -> Result<Response, ApiError> {
    require_organizer(&actor)?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let (event_id, rule_type) = (request.event_id, request.rule_type);
    let settings = request.settings();
    validate(rule_type, &settings)?;
    let now = state.clock.now();
    let mut row = RuleRow {
        id: shared_domain::new_id(),
        event_id,
        rule_type: Stored(rule_type),
        tier_1_hours_before: 0,
        tier_2_hours_before: 0,
        tier_3_hours_before: 0,
        escalation_threshold: None,
        backup_organizer_ids: Vec::new(),
        material_deadline: None,
        is_active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    apply(&mut row, settings);
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    store::insert_rule(&mut tx, &row)
        .await
        .map_err(one_active)?;
    obligations::restart_rule_progress(&mut tx, row.event_id, *row.rule_type, now).await?;
    let location = format!("/api/v1/escalation-rules/{}", row.id);
    let answer = idempotency::created(location, Some(row.version), &RuleResponse::from(row));
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists rules, optionally of one event (organizers).
#[utoipa::path(get, path = "/api/v1/escalation-rules", tag = "escalation-rules", params(ListRulesQuery),
    responses((status = 200, body = RuleList), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_rules(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListRulesQuery>,
) -> Result<Json<RuleList>, ApiError> {
    require_organizer(&actor)?;
    let rows = store::list_rules(&state.pool, query.event_id).await?;
    Ok(Json(RuleList {
        items: rows.into_iter().map(RuleResponse::from).collect(),
    }))
}

/// Reads one rule (organizers).
#[utoipa::path(get, path = "/api/v1/escalation-rules/{id}", tag = "escalation-rules", params(("id" = Uuid, Path)),
    responses((status = 200, body = RuleResponse, headers(("ETag" = String))), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    require_organizer(&actor)?;
    let row = store::fetch_rule(&state.pool, id)
        .await?
        .ok_or(NotificationError::NotFound("escalation rule", id))?;
    Ok((etag_header(row.version), Json(RuleResponse::from(row))).into_response())
}

/// Replaces a rule's timing and backups with `If-Match` (organizers).
#[utoipa::path(put, path = "/api/v1/escalation-rules/{id}", tag = "escalation-rules",
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = RuleSettings,
    responses((status = 200, body = RuleResponse, headers(("ETag" = String))), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"), (status = 428, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<Json<RuleSettings>, ApiError>,
) -> Result<Response, ApiError> {
    require_organizer(&actor)?;
    let (if_match, Json(settings)) = (if_match?, body?);
    let mut tx = state.pool.begin().await?;
    let mut row = store::lock_rule(&mut tx, id)
        .await?
        .ok_or(NotificationError::NotFound("escalation rule", id))?;
    if_match.check(row.version)?;
    validate(*row.rule_type, &settings)?;
    let previous_deadline = row.material_deadline;
    apply(&mut row, settings);
    row.updated_at = state.clock.now();
    store::update_rule(&mut tx, &row).await?;
    if row.material_deadline != previous_deadline {
        obligations::restart_rule_progress(&mut tx, row.event_id, *row.rule_type, row.updated_at)
            .await?;
    }
    let row = store::lock_rule(&mut tx, id)
        .await?
        .ok_or(NotificationError::NotFound("escalation rule", id))?;
    tx.commit().await?;
    Ok((etag_header(row.version), Json(RuleResponse::from(row))).into_response())
}

/// Deactivates a rule; its reminders stop (organizers).
#[utoipa::path(delete, path = "/api/v1/escalation-rules/{id}", tag = "escalation-rules", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deactivated"), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn deactivate_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    require_organizer(&actor)?;
    let mut tx = state.pool.begin().await?;
    let mut row = store::lock_rule(&mut tx, id)
        .await?
        .ok_or(NotificationError::NotFound("escalation rule", id))?;
    if row.is_active {
        row.is_active = false;
        row.updated_at = state.clock.now();
        store::update_rule(&mut tx, &row).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
