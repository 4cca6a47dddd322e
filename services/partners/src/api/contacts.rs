//! Handlers of `/api/v1/partners/{id}/contacts`: organizers and the partner itself keep
//! its contacts; one of them may be primary (meeting invitations go to it). Every change
//! is announced sealed for the notifications recipient directory; removing a contact
//! erases them (their key is destroyed, so every sealed copy turns unreadable).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use event_bus::outbox::enqueue;
use service_kit::etag::{etag_header, IfMatch};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::problem::Problem;
use service_kit::{erasure, person_keys, Actor, ApiError, Json, Path, RequestContext};
use shared_domain::contracts::partners::PartnerContactErased;
use shared_domain::Parse;
use uuid::Uuid;

use super::dto::{ContactRequest, ContactResponse, UpdateContactRequest};
use super::{caller, visible_partner, AppState};
use crate::domain::access::Caller;
use crate::domain::contact::ContactFields;
use crate::domain::PartnerError;
use crate::{announce, email_links, store};
use shared_domain::address_change::{self, AddressChange};

/// Adds a contact (organizers, or the partner itself). A second primary contact is
/// refused (409 naming `isPrimary`). Honors `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/partners/{id}/contacts", tag = "contacts", request_body = ContactRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ContactResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "A second primary contact, or the address is a contact already", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_contact(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(partner_id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<ContactRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let mut tx = state.pool.begin().await?;
    visible_partner(&mut tx, caller(&actor), partner_id).await?;
    let Json(request) = body?;
    let fields = ContactFields::from(request.clone())
        .into_valid()
        .map_err(ApiError::validation)?;
    let fingerprint = idempotency::fingerprint(&(partner_id, &request));
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let (id, now) = (shared_domain::new_id(), Utc::now());
    store::contacts::insert(&mut tx, id, partner_id, &fields, now).await?;
    let record = store::contacts::lock(&mut tx, partner_id, id)
        .await?
        .ok_or(PartnerError::NotFound("contact", id))?;
    announce::contact(&mut tx, &record, now, &context).await?;
    let location = format!("/api/v1/partners/{partner_id}/contacts/{id}");
    let body = ContactResponse::from(record);
    let answer = idempotency::created(location, Some(body.version), &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// A partner's contacts, the primary first (organizers, or the partner itself).
#[utoipa::path(get, path = "/api/v1/partners/{id}/contacts", tag = "contacts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ContactResponse>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_contacts(
    State(state): State<AppState>,
    actor: Actor,
    Path(partner_id): Path<Uuid>,
) -> Result<Json<Vec<ContactResponse>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    visible_partner(&mut conn, caller(&actor), partner_id).await?;
    let contacts = store::contacts::of_partner(&mut *conn, partner_id).await?;
    Ok(Json(
        contacts.into_iter().map(ContactResponse::from).collect(),
    ))
}

/// Changes a contact (organizers, or the partner itself; `If-Match`). A new address set by
/// the partner takes effect once the link mailed to it is followed; the current address is
/// told. Organizers change an address at once.
#[utoipa::path(patch, path = "/api/v1/partners/{id}/contacts/{contactId}", tag = "contacts", request_body = UpdateContactRequest,
    params(("id" = Uuid, Path), ("contactId" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactResponse, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path((partner_id, contact_id)): Path<(Uuid, Uuid)>,
    if_match: Result<IfMatch, ApiError>,
    RequestContext(context): RequestContext,
    body: Result<Json<UpdateContactRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let who = caller(&actor);
    let mut tx = state.pool.begin().await?;
    visible_partner(&mut tx, who, partner_id).await?;
    let (if_match, Json(patch)) = (if_match?, body?);
    let current = store::contacts::lock(&mut tx, partner_id, contact_id)
        .await?
        .ok_or(PartnerError::NotFound("contact", contact_id))?;
    if_match.check(current.version)?;
    let before = current.fields();
    let requested_email = patch.email.clone();
    let mut wanted = patch.apply_to(before.clone());
    // Organizers correct an address at once; a partner integration's new address waits
    // for the link mailed there (the current one keeps receiving mail until then).
    let organizer = who == Caller::Organizer;
    let change = address_change::requested(organizer, &before.email, requested_email.as_deref())
        .map_err(ApiError::validation)?;
    wanted.email = match &change {
        AddressChange::Now(email) => email.clone(),
        AddressChange::Keep | AddressChange::Confirm(_) => before.email.clone(),
    };
    let fields = wanted.into_valid().map_err(ApiError::validation)?;
    let mut record = current;
    let now = Utc::now();
    if *fields != before {
        store::contacts::update(&mut tx, contact_id, &fields, now).await?;
        record = store::contacts::lock(&mut tx, partner_id, contact_id)
            .await?
            .ok_or(PartnerError::NotFound("contact", contact_id))?;
        announce::contact(&mut tx, &record, now, &context).await?;
    }
    if let AddressChange::Confirm(email) = change {
        email_links::request(&mut tx, contact_id, partner_id, &email, &context).await?;
    }
    tx.commit().await?;
    Ok((
        etag_header(record.version),
        Json(ContactResponse::from(record)),
    )
        .into_response())
}

/// Removes a contact and erases their personal data here and, through
/// `PartnerContactErased`, in every other context (organizers, or the partner itself).
#[utoipa::path(delete, path = "/api/v1/partners/{id}/contacts/{contactId}", tag = "contacts",
    params(("id" = Uuid, Path), ("contactId" = Uuid, Path)),
    responses((status = 204, description = "Removed and erased"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn remove_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path((partner_id, contact_id)): Path<(Uuid, Uuid)>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    let mut tx = state.pool.begin().await?;
    visible_partner(&mut tx, caller(&actor), partner_id).await?;
    let contact = store::contacts::lock(&mut tx, partner_id, contact_id)
        .await?
        .ok_or(PartnerError::NotFound("contact", contact_id))?;
    erasure::forget_person(&mut tx, contact_id, &contact.email).await?;
    person_keys::destroy(&mut tx, contact_id).await?;
    store::contacts::delete(&mut tx, contact_id).await?;
    let erased = PartnerContactErased {
        contact_id,
        partner_id,
        erased_at: Utc::now(),
    };
    enqueue(&mut tx, &erased, &context).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
