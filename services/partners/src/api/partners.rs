//! Handlers of `/api/v1/partners`: organizers create and change partners; a partner token
//! reads only its own.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use service_kit::directory::require_company;
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext};
use shared_domain::Parse;
use uuid::Uuid;

use super::dto::{
    CreatePartnerRequest, ListPartnersQuery, PartnerResponse, TierResponse, UpdatePartnerRequest,
};
use super::{caller, visible_partner, AppState};
use crate::domain::access::Caller;
use crate::domain::partner::{catalogue, is_active, PartnerFields, PartnershipTier};
use crate::domain::PartnerError;
use crate::{announce, store};

/// Makes a company a partner (organizers). The company must be known and not archived;
/// `isActive` follows the partnership dates. Honors `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/partners", tag = "partners", request_body = CreatePartnerRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PartnerResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 409, description = "The company is a partner already", body = Problem),
        (status = 422, description = "Unknown or archived company, bad dates", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_partner(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<CreatePartnerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    caller(&actor).require_organizer()?;
    let Json(request) = body?;
    let fields = PartnerFields {
        tier: request.partnership_level,
        start_date: request.partnership_start_date,
        end_date: request.partnership_end_date,
        benefit_overrides: request.benefit_overrides.clone(),
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    require_company(&state.pool, "companyId", request.company_id).await?;
    let mut tx = state.pool.begin().await?;
    let fingerprint = idempotency::fingerprint(&request);
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    let active = is_active(fields.start_date, fields.end_date, now.date_naive());
    if !store::partners::insert(&mut tx, id, request.company_id, &fields, active, now).await? {
        let detail = format!("company {} is a partner already", request.company_id);
        return Err(ApiError::conflict(detail));
    }
    let record = store::partners::lock(&mut tx, id)
        .await?
        .ok_or(PartnerError::NotFound("partner", id))?;
    announce::partner(&mut tx, &record, now, &context).await?;
    let location = format!("/api/v1/partners/{id}");
    let body = PartnerResponse::from(record);
    let answer = idempotency::created(location, Some(body.version), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists partners by id: organizers all (filtered by company, tier, active state); a
/// partner token only its own.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", params(ListPartnersQuery),
    responses((status = 200, body = Page<PartnerResponse>), (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_partners(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListPartnersQuery>,
) -> Result<Json<Page<PartnerResponse>>, ApiError> {
    let who = caller(&actor);
    who.require_known()?;
    let company = match who {
        Caller::Partner { company_id } => Some(company_id),
        _ => query.company_id,
    };
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::partners::list(
        &state.pool,
        company,
        query.partnership_level,
        query.is_active,
        page.after,
        page.fetch_limit(),
    )
    .await?;
    let page = Page::from_rows(rows, page.limit, |p| p.id);
    Ok(Json(page.map(PartnerResponse::from)))
}

/// The benefit catalogue: each tier's vote weight and benefits (organizers and partners).
#[utoipa::path(get, path = "/api/v1/partners/tiers", tag = "partners",
    responses((status = 200, body = Vec<TierResponse>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn benefit_catalogue(actor: Actor) -> Result<Json<Vec<TierResponse>>, ApiError> {
    caller(&actor).require_known()?;
    use PartnershipTier::*;
    let tiers = [Bronze, Silver, Gold, Platinum, Strategic]
        .into_iter()
        .map(|tier| TierResponse {
            tier,
            vote_weight: tier.vote_weight(),
            benefits: catalogue(tier).to_vec(),
        })
        .collect();
    Ok(Json(tiers))
}

/// Reads a partner (organizers; a partner token only its own, others answer 404).
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "partners", params(("id" = Uuid, Path)),
    responses((status = 200, body = PartnerResponse, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_partner(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let partner = visible_partner(&mut conn, caller(&actor), id).await?;
    Ok((
        etag_header(partner.version),
        Json(PartnerResponse::from(partner)),
    )
        .into_response())
}

/// Changes a partner's tier, dates or benefit overrides (organizers, `If-Match`); the
/// active state follows the dates and the change is announced.
#[utoipa::path(patch, path = "/api/v1/partners/{id}", tag = "partners", request_body = UpdatePartnerRequest,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = PartnerResponse, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_partner(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdatePartnerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    caller(&actor).require_organizer()?;
    let (if_match, Json(patch)) = (if_match?, body?);
    let mut tx = state.pool.begin().await?;
    let current = store::partners::lock(&mut tx, id)
        .await?
        .ok_or(PartnerError::NotFound("partner", id))?;
    if_match.check(current.version)?;
    let before = current.fields();
    let fields = PartnerFields {
        tier: patch.partnership_level.unwrap_or(before.tier),
        start_date: patch.partnership_start_date.unwrap_or(before.start_date),
        end_date: service_kit::patch::apply(before.end_date, patch.partnership_end_date),
        benefit_overrides: patch
            .benefit_overrides
            .unwrap_or_else(|| before.benefit_overrides.clone()),
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    let now = Utc::now();
    let active = is_active(fields.start_date, fields.end_date, now.date_naive());
    if *fields != before || active != current.is_active {
        store::partners::update(&mut tx, id, &fields, active, now).await?;
    }
    let record = store::partners::lock(&mut tx, id)
        .await?
        .ok_or(PartnerError::NotFound("partner", id))?;
    if record.version != current.version {
        announce::partner(&mut tx, &record, now, &context).await?;
    }
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(PartnerResponse::from(record)),
    )
        .into_response())
}
