//! Handlers of `/api/v1/attendees`: an attendee token sees and edits only itself;
//! organizers see and edit everyone. Creating an attendee, and changing its email, names or
//! language, announces `AttendeeProfileChanged` in the same transaction.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, Query, RequestContext, Role};
use shared_domain::Parse;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::AttendeeResponse;
use super::AppState;
use crate::domain::attendee::{AttendeeFields, GdprConsent, LANGUAGES};
use crate::domain::signup::Signup;
use crate::domain::AttendeeError;
use crate::store;
use shared_domain::address_change::{self, AddressChange};

/// Consent as a client sends it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentRequest {
    pub given: bool,
    /// The privacy policy version consented to (required when `given`).
    pub policy_version: Option<String>,
}

/// Body of `POST /api/v1/attendees` (and of `PUT`-style updates via PATCH fields).
#[derive(Debug, Clone, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAttendeeRequest {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Option<Uuid>,
    pub position: Option<String>,
    pub gdpr_consent: ConsentRequest,
    /// Language of mails: `de` (the default) or `en`.
    pub language: Option<String>,
}

/// Body of `PATCH /api/v1/attendees/{id}` (absent fields stay; `null` clears optional ones).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAttendeeRequest {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<Uuid>)]
    pub company_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "service_kit::patch::field")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    pub gdpr_consent: Option<ConsentRequest>,
    /// Language of mails: `de` or `en`.
    pub language: Option<String>,
}

/// Query of the attendee list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAttendeesQuery {
    /// Case-insensitive search in email and name.
    pub q: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The announcement of an attendee's contact details as they are now.
/// True when a change touches what `AttendeeProfileChanged` carries.
fn profile_differs(before: &AttendeeFields, after: &AttendeeFields) -> bool {
    (
        &before.email,
        &before.first_name,
        &before.last_name,
        &before.language,
    ) != (
        &after.email,
        &after.first_name,
        &after.last_name,
        &after.language,
    )
}

async fn check_company(state: &AppState, company_id: Option<Uuid>) -> Result<(), ApiError> {
    match company_id {
        Some(id) => service_kit::directory::require_company(&state.pool, "companyId", id).await,
        None => Ok(()),
    }
}

/// Creates an attendee (organizers, or attendees signing themselves up).
#[utoipa::path(post, path = "/api/v1/attendees", tag = "attendees", request_body = CreateAttendeeRequest,
    responses((status = 201, body = AttendeeResponse), (status = 409, description = "Email taken", body = Problem), (status = 422, body = Problem), (status = 503, description = "The company was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_attendee(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<CreateAttendeeRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_any(&[Role::Organizer, Role::Attendee])?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let organizer = actor.has(Role::Organizer);
    let signup = if organizer {
        Signup::Organizer
    } else {
        Signup::Themself {
            subject: &actor.subject,
            email: actor.email.as_deref(),
            has_record: actor.attendee_id.is_some(),
        }
    };
    let fields = AttendeeFields {
        email: request.email,
        first_name: request.first_name,
        last_name: request.last_name,
        company_id: request.company_id,
        position: request.position,
        newsletter_subscription: false,
        consent: GdprConsent {
            given: request.gdpr_consent.given,
            given_at: None,
            policy_version: request.gdpr_consent.policy_version,
        },
        language: request.language.unwrap_or_else(|| LANGUAGES[0].into()),
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    let account = signup.account_for(&fields.email)?;
    check_company(&state, fields.company_id).await?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    if let Err(existing_id) =
        store::attendees::insert_attendee(&mut tx, id, &fields, account, now).await?
    {
        // Only organizers learn whom an email belongs to.
        return Err(if organizer {
            AttendeeError::EmailTaken { existing_id }.into()
        } else {
            ApiError::conflict("an attendee with this email already exists")
        });
    }
    crate::announce::profile(&mut tx, id, &fields, now, &context).await?;
    let record = store::attendees::fetch_attendee(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::NotFound(id))?;
    let location = format!("/api/v1/attendees/{id}");
    let answer = idempotency::created(
        location,
        Some(record.version),
        &AttendeeResponse::from(record),
    );
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Reads an attendee (itself or organizers).
#[utoipa::path(get, path = "/api/v1/attendees/{id}", tag = "attendees", params(("id" = Uuid, Path)),
    responses((status = 200, body = AttendeeResponse), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_attendee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Attendee(id))?;
    let record = store::attendees::fetch_attendee(&state.pool, id)
        .await?
        .ok_or(AttendeeError::NotFound(id))?;
    Ok((
        etag_header(record.version),
        Json(AttendeeResponse::from(record)),
    )
        .into_response())
}

/// Lists attendees (organizers).
#[utoipa::path(get, path = "/api/v1/attendees", tag = "attendees", params(ListAttendeesQuery),
    responses((status = 200, body = Page<AttendeeResponse>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_attendees(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListAttendeesQuery>,
) -> Result<Json<Page<AttendeeResponse>>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = store::attendees::list_attendees(
        &state.pool,
        query.q.as_deref().filter(|q| !q.trim().is_empty()),
        page.after,
        page.fetch_limit(),
    )
    .await?;
    Ok(Json(
        Page::from_rows(rows, page.limit, |a| a.id).map(AttendeeResponse::from),
    ))
}

/// Updates an attendee with `If-Match` (itself or organizers).
#[utoipa::path(patch, path = "/api/v1/attendees/{id}", tag = "attendees", request_body = UpdateAttendeeRequest, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = AttendeeResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 503, description = "The company was created so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_attendee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdateAttendeeRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Attendee(id))?;
    let (if_match, Json(patch)) = (if_match?, body?);
    let mut tx = state.pool.begin().await?;
    let current = store::attendees::lock_attendee(&mut tx, id)
        .await?
        .ok_or(AttendeeError::NotFound(id))?;
    if current.erased_at.is_some() {
        return Err(AttendeeError::Conflict("this attendee was erased".into()).into());
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
        check_company(&state, fields.company_id).await?;
    }
    let now = Utc::now();
    store::attendees::update_attendee(&mut tx, id, &fields, now)
        .await?
        .ok_or_else(|| ApiError::invalid_field("email", "belongs to another attendee"))?;
    if let AddressChange::Confirm(new_email) = &change {
        crate::email_links::request(&mut tx, id, new_email, &context).await?;
    }
    if profile_differs(&before, &fields) {
        crate::announce::profile(&mut tx, id, &fields, now, &context).await?;
    }
    let record = store::attendees::fetch_attendee(&mut *tx, id)
        .await?
        .ok_or(AttendeeError::NotFound(id))?;
    let pending_email = service_kit::email_change::pending_email(&mut tx, id).await?;
    tx.commit().await?;
    let body = AttendeeResponse {
        pending_email,
        ..AttendeeResponse::from(record)
    };
    Ok((etag_header(body.version), Json(body)).into_response())
}

/// The fields after `patch`, with the address `change` writes now (if any).
fn merged(
    before: &AttendeeFields,
    patch: UpdateAttendeeRequest,
    change: &AddressChange,
) -> AttendeeFields {
    let email = match change {
        AddressChange::Now(new_email) => new_email.clone(),
        AddressChange::Keep | AddressChange::Confirm(_) => before.email.clone(),
    };
    AttendeeFields {
        email,
        first_name: patch.first_name.unwrap_or(before.first_name.clone()),
        last_name: patch.last_name.unwrap_or(before.last_name.clone()),
        company_id: service_kit::patch::apply(before.company_id, patch.company_id),
        position: service_kit::patch::apply(before.position.clone(), patch.position),
        newsletter_subscription: before.newsletter_subscription,
        consent: patch
            .gdpr_consent
            .map(|c| GdprConsent {
                given: c.given,
                given_at: None,
                policy_version: c.policy_version,
            })
            .unwrap_or(before.consent.clone()),
        language: patch.language.unwrap_or(before.language.clone()),
    }
}
