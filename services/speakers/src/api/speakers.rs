//! Handlers of `/api/v1/speakers`: organizers manage speakers; a speaker token (with its
//! `speakerId` claim) reads and edits only itself, also as `/api/v1/speakers/me`. Creating a
//! speaker, and changing its email, names, company, contact preferences or profile photo,
//! announces `SpeakerProfileChanged` in the same transaction.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageQuery, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, Query, RequestContext, Role};
use shared_domain::address_change::{self, AddressChange};
use shared_domain::Parse;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::speaker::{
    ContactPreferences, SpeakerAvailability, SpeakerFields, SpeakerProfile,
};
use crate::domain::SpeakerError;
use crate::store;
use crate::store::speakers::SpeakerRecord;

/// Body of `POST /api/v1/speakers`.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSpeakerRequest {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Uuid,
    pub position: Option<String>,
    #[serde(default)]
    pub profile: SpeakerProfile,
    pub availability: Option<SpeakerAvailability>,
    #[serde(default)]
    pub communication_preferences: ContactPreferences,
}

/// Body of `PATCH /api/v1/speakers/{id}` and `/me` (absent fields stay).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSpeakerRequest {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_id: Option<Uuid>,
    pub position: Option<String>,
    pub profile: Option<SpeakerProfile>,
    pub availability: Option<SpeakerAvailability>,
    pub communication_preferences: Option<ContactPreferences>,
}

/// A speaker as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerResponse {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Uuid,
    pub position: Option<String>,
    pub profile: SpeakerProfile,
    pub availability: SpeakerAvailability,
    pub communication_preferences: ContactPreferences,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The address the speaker is moving to, until they follow the link mailed there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
}

impl From<SpeakerRecord> for SpeakerResponse {
    fn from(r: SpeakerRecord) -> Self {
        let f = r.fields();
        SpeakerResponse {
            id: r.id,
            email: f.email,
            first_name: f.first_name,
            last_name: f.last_name,
            company_id: f.company_id,
            position: f.position,
            profile: f.profile,
            availability: f.availability,
            communication_preferences: f.communication_preferences,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            pending_email: None,
        }
    }
}

/// True when a change touches what `SpeakerProfileChanged` carries.
fn profile_differs(before: &SpeakerFields, after: &SpeakerFields) -> bool {
    (
        &before.email,
        &before.first_name,
        &before.last_name,
        &before.communication_preferences,
        before.company_id,
        &before.profile.profile_photo_url,
    ) != (
        &after.email,
        &after.first_name,
        &after.last_name,
        &after.communication_preferences,
        after.company_id,
        &after.profile.profile_photo_url,
    )
}

fn own_id(actor: &Actor) -> Result<Uuid, ApiError> {
    actor
        .speaker_id
        .filter(|_| actor.has(Role::Speaker))
        .ok_or_else(|| {
            SpeakerError::Forbidden("this needs a speaker token with a speakerId").into()
        })
}

/// Creates a speaker (organizers); the company must be known and active.
#[utoipa::path(post, path = "/api/v1/speakers", tag = "speakers", request_body = CreateSpeakerRequest,
    responses((status = 201, body = SpeakerResponse), (status = 409, description = "Email taken", body = Problem), (status = 422, body = Problem), (status = 503, description = "The company was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem)), security(("bearer" = [])))]
pub async fn create_speaker(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<CreateSpeakerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(r) = body?;
    let request_hash = idempotency::fingerprint(&r);
    let fields = SpeakerFields {
        email: r.email,
        first_name: r.first_name,
        last_name: r.last_name,
        company_id: r.company_id,
        position: r.position,
        profile: r.profile,
        availability: r.availability.unwrap_or(SpeakerAvailability::Available),
        communication_preferences: r.communication_preferences,
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    service_kit::directory::require_company(&state.pool, "companyId", fields.company_id).await?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    store::speakers::insert_speaker(&mut tx, id, &fields, now)
        .await?
        .map_err(|existing_id| SpeakerError::EmailTaken { existing_id })?;
    crate::announce::profile(&mut tx, id, &fields, now, &context).await?;
    let record = store::speakers::fetch_speaker(&mut *tx, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    let location = format!("/api/v1/speakers/{id}");
    let answer = idempotency::created(
        location,
        Some(record.version),
        &SpeakerResponse::from(record),
    );
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists speakers (organizers).
#[utoipa::path(get, path = "/api/v1/speakers", tag = "speakers", params(PageQuery),
    responses((status = 200, body = Page<SpeakerResponse>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_speakers(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<PageQuery>,
) -> Result<Json<Page<SpeakerResponse>>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::speakers::list_speakers(&state.pool, page.after, page.fetch_limit()).await?;
    Ok(Json(
        Page::from_rows(rows, page.limit, |s| s.id).map(SpeakerResponse::from),
    ))
}

async fn read(state: &AppState, id: Uuid) -> Result<Response, ApiError> {
    let record = store::speakers::fetch_speaker(&state.pool, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    Ok((
        etag_header(record.version),
        Json(SpeakerResponse::from(record)),
    )
        .into_response())
}

/// Reads a speaker (itself or organizers).
#[utoipa::path(get, path = "/api/v1/speakers/{id}", tag = "speakers", params(("id" = Uuid, Path)),
    responses((status = 200, body = SpeakerResponse), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_speaker(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(id))?;
    read(&state, id).await
}

/// The calling speaker's own profile.
#[utoipa::path(get, path = "/api/v1/speakers/me", tag = "speakers",
    responses((status = 200, body = SpeakerResponse), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn get_me(State(state): State<AppState>, actor: Actor) -> Result<Response, ApiError> {
    read(&state, own_id(&actor)?).await
}

async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    if_match: IfMatch,
    context: &event_bus::EventContext,
    patch: UpdateSpeakerRequest,
) -> Result<Response, ApiError> {
    let mut tx = state.pool.begin().await?;
    let current = store::speakers::lock_speaker(&mut tx, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    if current.erased_at.is_some() {
        return Err(ApiError::conflict("this speaker was erased"));
    }
    if_match.check(current.version)?;
    let before = current.fields();
    let change = address_change::requested(
        actor.has(Role::Organizer),
        &before.email,
        patch.email.as_deref(),
    )
    .map_err(ApiError::validation)?;
    let fields = merged(&before, patch, &change)
        .into_valid()
        .map_err(ApiError::validation)?;
    if fields.company_id != before.company_id {
        service_kit::directory::require_company(&state.pool, "companyId", fields.company_id)
            .await?;
    }
    let now = Utc::now();
    store::speakers::update_speaker(&mut tx, id, &fields, now)
        .await?
        .map_err(|existing_id| SpeakerError::EmailTaken { existing_id })?;
    if let AddressChange::Confirm(new_email) = &change {
        crate::email_links::request(&mut tx, id, new_email, context).await?;
    }
    if profile_differs(&before, &fields) {
        crate::announce::profile(&mut tx, id, &fields, now, context).await?;
    }
    let record = store::speakers::fetch_speaker(&mut *tx, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    let pending_email = service_kit::email_change::pending_email(&mut tx, id).await?;
    tx.commit().await?;
    let body = SpeakerResponse {
        pending_email,
        ..SpeakerResponse::from(record)
    };
    Ok((etag_header(body.version), Json(body)).into_response())
}

/// The fields after `patch`, with the address `change` writes now (if any).
fn merged(
    before: &SpeakerFields,
    patch: UpdateSpeakerRequest,
    change: &AddressChange,
) -> SpeakerFields {
    let email = match change {
        AddressChange::Now(new_email) => new_email.clone(),
        AddressChange::Keep | AddressChange::Confirm(_) => before.email.clone(),
    };
    SpeakerFields {
        email,
        first_name: patch.first_name.unwrap_or(before.first_name.clone()),
        last_name: patch.last_name.unwrap_or(before.last_name.clone()),
        company_id: patch.company_id.unwrap_or(before.company_id),
        position: patch.position.or(before.position.clone()),
        profile: patch.profile.unwrap_or(before.profile.clone()),
        availability: patch.availability.unwrap_or(before.availability),
        communication_preferences: patch
            .communication_preferences
            .unwrap_or(before.communication_preferences.clone()),
    }
}

/// Updates a speaker with `If-Match` (itself or organizers).
#[utoipa::path(patch, path = "/api/v1/speakers/{id}", tag = "speakers", request_body = UpdateSpeakerRequest, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SpeakerResponse), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 503, description = "The company was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem), (status = 503, description = "The company was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_speaker(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdateSpeakerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(id))?;
    let (if_match, Json(patch)) = (if_match?, body?);
    update(&state, &actor, id, if_match, &context, patch).await
}

/// Updates the calling speaker's own profile with `If-Match`.
#[utoipa::path(patch, path = "/api/v1/speakers/me", tag = "speakers", request_body = UpdateSpeakerRequest, params(("If-Match" = String, Header)),
    responses((status = 200, body = SpeakerResponse), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_me(
    State(state): State<AppState>,
    actor: Actor,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdateSpeakerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let id = own_id(&actor)?;
    let (if_match, Json(patch)) = (if_match?, body?);
    update(&state, &actor, id, if_match, &context, patch).await
}
