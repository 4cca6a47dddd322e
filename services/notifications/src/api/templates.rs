//! `/api/v1/email-templates`: organizers read, add and activate template versions and
//! preview them. A save never changes an existing version; rollback is activating an
//! older one.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{require_organizer, AppState};
use crate::domain::template::TemplateText;
use crate::domain::{enum_name, Language, NotificationError, TemplateType};
use crate::store::templates::{self as store, TemplateRow};

/// A template version.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateResponse {
    pub id: Uuid,
    pub template_type: TemplateType,
    pub language: Language,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub variables: Vec<String>,
    pub version: i32,
    pub is_active: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TemplateRow> for TemplateResponse {
    fn from(row: TemplateRow) -> Self {
        Self {
            id: row.id,
            template_type: *row.template_type,
            language: *row.language,
            subject: row.subject,
            html_body: row.html_body,
            text_body: row.text_body,
            variables: row.variables.0,
            version: row.version,
            is_active: row.is_active,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Body of `POST /api/v1/email-templates`: the next version of a type and language.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTemplateRequest {
    pub template_type: TemplateType,
    pub language: Language,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    /// The variables the template uses; each must be one its type provides.
    pub variables: Vec<String>,
    /// Make it the active version at once (default true).
    pub activate: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListTemplatesQuery {
    pub template_type: Option<TemplateType>,
    pub language: Option<Language>,
    /// Only the active versions.
    pub active_only: Option<bool>,
}

/// Templates, grouped by type and language, newest version first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateResponse>,
}

/// Body of a preview: values for the template's variables (each defaults to a sample).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewRequest {
    /// `null` or absent: every variable shows its sample.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A rendered template.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewResponse {
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
}

/// Lists template versions (organizers).
#[utoipa::path(get, path = "/api/v1/email-templates", tag = "email-templates", params(ListTemplatesQuery),
    responses((status = 200, body = TemplateList), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_templates(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListTemplatesQuery>,
) -> Result<Json<TemplateList>, ApiError> {
    require_organizer(&actor)?;
    let template_type = query.template_type.map(|t| enum_name(&t));
    let language = query.language.map(|l| enum_name(&l));
    let rows = store::list_templates(
        &state.pool,
        template_type.as_deref(),
        language.as_deref(),
        query.active_only.unwrap_or(false),
    )
    .await?;
    Ok(Json(TemplateList {
        items: rows.into_iter().map(TemplateResponse::from).collect(),
    }))
}

/// Reads one template version (organizers).
#[utoipa::path(get, path = "/api/v1/email-templates/{id}", tag = "email-templates", params(("id" = Uuid, Path)),
    responses((status = 200, body = TemplateResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<TemplateResponse>, ApiError> {
    require_organizer(&actor)?;
    let row = store::fetch_template(&state.pool, id)
        .await?
        .ok_or(NotificationError::NotFound("template", id))?;
    Ok(Json(row.into()))
}

/// Saves a new version (organizers). A part that does not parse, or uses a variable the
/// template does not declare, is a 422 naming the part and the variable.
#[utoipa::path(post, path = "/api/v1/email-templates", tag = "email-templates", request_body = CreateTemplateRequest,
    responses((status = 201, body = TemplateResponse, headers(("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_template(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: Result<Json<CreateTemplateRequest>, ApiError>,
) -> Result<Response, ApiError> {
    require_organizer(&actor)?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let text = TemplateText {
        subject: request.subject,
        html_body: request.html_body,
        text_body: request.text_body,
        variables: request.variables,
    };
    text.check(request.template_type)
        .map_err(ApiError::validation)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let id = store::insert_version(
        &mut tx,
        &enum_name(&request.template_type),
        &enum_name(&request.language),
        &text,
        request.activate.unwrap_or(true),
        Uuid::parse_str(&actor.subject).ok(),
        now,
    )
    .await?;
    let row = store::fetch_template(&mut *tx, id)
        .await?
        .ok_or(NotificationError::NotFound("template", id))?;
    let location = format!("/api/v1/email-templates/{id}");
    let answer = idempotency::created(location, None, &TemplateResponse::from(row));
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Makes a version the active one of its type and language, e.g. to roll back (organizers).
#[utoipa::path(post, path = "/api/v1/email-templates/{id}/activate", tag = "email-templates", params(("id" = Uuid, Path)),
    responses((status = 200, body = TemplateResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn activate_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<TemplateResponse>, ApiError> {
    require_organizer(&actor)?;
    let mut tx = state.pool.begin().await?;
    let row = store::fetch_template(&mut *tx, id)
        .await?
        .ok_or(NotificationError::NotFound("template", id))?;
    store::activate(&mut tx, &row, state.clock.now()).await?;
    let row = store::fetch_template(&mut *tx, id)
        .await?
        .ok_or(NotificationError::NotFound("template", id))?;
    tx.commit().await?;
    Ok(Json(row.into()))
}

/// Renders a version with sample data, or with the values given (organizers).
#[utoipa::path(post, path = "/api/v1/email-templates/{id}/preview", tag = "email-templates", params(("id" = Uuid, Path)),
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn preview_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    body: Result<Json<PreviewRequest>, ApiError>,
) -> Result<Json<PreviewResponse>, ApiError> {
    require_organizer(&actor)?;
    let Json(request) = body?;
    let row = store::fetch_template(&state.pool, id)
        .await?
        .ok_or(NotificationError::NotFound("template", id))?;
    let text = row.text();
    let mut data = match text.sample_data() {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    for (key, value) in request.data.unwrap_or_default() {
        if !text.variables.contains(&key) {
            return Err(ApiError::invalid_field(
                &format!("data.{key}"),
                "is not a variable of this template",
            ));
        }
        data.insert(key, value);
    }
    let mail = text
        .render(&serde_json::Value::Object(data))
        .map_err(|e| ApiError::invalid_field("data", e))?;
    Ok(Json(PreviewResponse {
        subject: mail.subject,
        html_body: mail.html_body,
        text_body: mail.text_body,
    }))
}
