//! Handlers of `/api/v1/companies`: parse and authorize, let the domain decide, persist
//! state and outbox rows in one transaction, answer.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext, Role};
use shared_domain::contracts::companies::{CompanyArchived, CompanyCreated};
use shared_domain::Parse;
use uuid::Uuid;

use super::dto::{CompanyResponse, CreateCompanyRequest, ListCompaniesQuery, UpdateCompanyRequest};
use super::AppState;
use crate::announce;
use crate::domain::{access, CompanyError, CompanyFields};
use crate::store::{self, CompanyFilter, ListKey};

impl From<CompanyError> for ApiError {
    fn from(error: CompanyError) -> Self {
        let detail = error.to_string();
        match error {
            CompanyError::NotFound(_) | CompanyError::NoLogo(_) => ApiError::not_found(detail),
            CompanyError::NameTaken { existing_id, .. } => {
                let problem = ApiError::conflict(detail);
                match existing_id {
                    Some(id) => problem.with("existingId", id.to_string()),
                    None => problem,
                }
            }
            CompanyError::Archived(_) => ApiError::conflict(detail),
            CompanyError::Forbidden(_) => ApiError::forbidden(detail),
        }
    }
}

/// Creates a company (organizers). Honors `Idempotency-Key`.
#[utoipa::path(
    post, path = "/api/v1/companies", tag = "companies",
    request_body = CreateCompanyRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key")),
    responses(
        (status = 201, description = "Created", body = CompanyResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken; `existingId` names the company", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_company(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<CreateCompanyRequest>, ApiError>,
) -> Result<Response, ApiError> {
    access::can_manage(caller(&actor))?;
    let Json(request) = body?;
    let fields = CompanyFields::from(request.clone())
        .into_valid()
        .map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(
        &mut tx,
        &actor.subject,
        key,
        &idempotency::fingerprint(&request),
    )
    .await?
    {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    store::insert_company(&mut tx, id, &fields, &actor.subject, now).await??;
    let created = CompanyCreated {
        company_id: id,
        name: fields.name.clone(),
        display_name: fields.display_name.clone(),
        is_partner: fields.is_partner,
        industry: fields.industry.clone(),
        // A new company has no logo yet; its first upload announces one.
        logo_url: None,
        created_by: actor.subject.clone(),
        created_at: now,
    };
    enqueue(&mut tx, &created, &context).await?;
    let record = store::lock_company(&mut tx, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    let location = format!("/api/v1/companies/{id}");
    let answer = idempotency::created(
        location,
        Some(record.version),
        &CompanyResponse::from(record),
    );
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Reads one company (any authenticated caller).
#[utoipa::path(
    get, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CompanyResponse, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_company(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let record = store::fetch_company(&state.pool, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    Ok((
        etag_header(record.version),
        Json(CompanyResponse::from(record)),
    )
        .into_response())
}

/// Redirects to the public address of the company's current logo (any authenticated caller,
/// like every company read).
#[utoipa::path(
    get, path = "/api/v1/companies/{id}/logo", tag = "companies",
    params(("id" = Uuid, Path)),
    responses(
        (status = 302, description = "The logo is served from `Location` (its public address)", headers(("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company, or it has no logo", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_company_logo(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let record = store::fetch_company(&state.pool, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    let url = record.logo_url().ok_or(CompanyError::NoLogo(id))?;
    Ok((StatusCode::FOUND, [(header::LOCATION, url)]).into_response())
}

/// Lists companies by name, with search and filters (any authenticated caller).
#[utoipa::path(
    get, path = "/api/v1/companies", tag = "companies",
    params(ListCompaniesQuery),
    responses(
        (status = 200, body = Page<CompanyResponse>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_companies(
    State(state): State<AppState>,
    _actor: Actor,
    Query(query): Query<ListCompaniesQuery>,
) -> Result<Json<Page<CompanyResponse>>, ApiError> {
    let page = PageRequest::parse::<ListKey>(query.limit, query.cursor.as_deref())?;
    let filter = CompanyFilter {
        search: query
            .q
            .filter(|q| !q.trim().is_empty())
            .map(|q| q.trim().to_owned()),
        is_partner: query.is_partner,
        industry: query.industry,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let rows = store::list_companies(
        &state.pool,
        &filter,
        page.after.as_ref(),
        page.fetch_limit(),
    )
    .await?;
    let page = Page::from_rows(rows, page.limit, |c| (c.name.to_lowercase(), c.id));
    Ok(Json(page.map(CompanyResponse::from)))
}

/// Updates a company (organizers, or the company's own partner) with `If-Match`.
#[utoipa::path(
    patch, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdateCompanyRequest,
    responses(
        (status = 200, body = CompanyResponse, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_company(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    Json(patch): Json<UpdateCompanyRequest>,
) -> Result<Response, ApiError> {
    access::can_update(caller(&actor), id, patch.is_partner.is_some())?;
    let if_match = if_match?;
    let mut tx = state.pool.begin().await?;
    let current = store::lock_company(&mut tx, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    if current.archived_at.is_some() {
        return Err(CompanyError::Archived(id).into());
    }
    if_match.check(current.version)?;
    let before = current.fields();
    access::can_update(
        caller(&actor),
        id,
        patch.is_partner.is_some_and(|p| p != before.is_partner),
    )?;
    let fields = patch
        .apply_to(before.clone())
        .into_valid()
        .map_err(ApiError::validation)?;
    if *fields == before {
        return Ok((
            etag_header(current.version),
            Json(CompanyResponse::from(current)),
        )
            .into_response());
    }
    store::update_company(&mut tx, id, &fields, Utc::now()).await??;
    let record = store::lock_company(&mut tx, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    announce::company_updated(&mut tx, &record, &context).await?;
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(CompanyResponse::from(record)),
    )
        .into_response())
}

/// Archives a company (organizers) with `If-Match`; archiving an archived company is a no-op.
#[utoipa::path(
    post, path = "/api/v1/companies/{id}/archive", tag = "companies",
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    responses(
        (status = 200, body = CompanyResponse, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn archive_company(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    access::can_manage(caller(&actor))?;
    let if_match = if_match?;
    let mut tx = state.pool.begin().await?;
    let current = store::lock_company(&mut tx, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    if current.archived_at.is_none() {
        if_match.check(current.version)?;
        let now = Utc::now();
        store::archive_company(&mut tx, id, now).await?;
        enqueue(
            &mut tx,
            &CompanyArchived {
                company_id: id,
                archived_at: now,
            },
            &context,
        )
        .await?;
    }
    let record = store::lock_company(&mut tx, id)
        .await?
        .ok_or(CompanyError::NotFound(id))?;
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(CompanyResponse::from(record)),
    )
        .into_response())
}

/// The caller as the access rules see them: organizer, or the partner of one company.
fn caller(actor: &Actor) -> access::Caller {
    access::Caller {
        organizer: actor.has(Role::Organizer),
        partner_of: actor.company_id.filter(|_| actor.has(Role::Partner)),
    }
}
