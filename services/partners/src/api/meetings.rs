//! Handlers of `/api/v1/partner-meetings`: organizers schedule meetings (every active
//! partner's primary contact is invited by mail), partners answer until the meeting
//! starts, organizers record attendance afterwards and generate the meeting pack (each
//! invited partner's analytics as JSON and CSV). A partner sees only meetings it is invited
//! to and only its own answer and pack.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent, SavedResponse};
use service_kit::pagination::{Page, PageRequest};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query, RequestContext};
use shared_domain::contracts::partners::PartnerMeetingInvited;
use shared_domain::contracts::Known;
use shared_domain::Parse;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{caller, own_partner, AppState};
use crate::domain::access::Caller;
use crate::domain::analytics::to_csv;
use crate::domain::meeting::{self, MeetingFields, MeetingType, RsvpStatus};
use crate::domain::PartnerError;
use crate::store::meetings::{AttendanceRecord, MeetingRecord};
use crate::{report, store};

/// Body of `POST /api/v1/partner-meetings`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeetingRequest {
    pub meeting_type: MeetingType,
    pub title: String,
    /// In the future.
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    pub agenda: String,
}

/// A partner's invitation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationResponse {
    pub partner_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub rsvp_status: RsvpStatus,
    pub rsvp_at: Option<DateTime<Utc>>,
    /// Recorded by organizers after the meeting.
    pub attended: Option<bool>,
}

impl From<AttendanceRecord> for InvitationResponse {
    fn from(a: AttendanceRecord) -> Self {
        InvitationResponse {
            partner_id: a.partner_id,
            contact_id: a.contact_id,
            rsvp_status: *a.rsvp_status,
            rsvp_at: a.rsvp_at,
            attended: a.attended,
        }
    }
}

/// A meeting with the invitations the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeetingResponse {
    pub id: Uuid,
    pub meeting_type: MeetingType,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    pub agenda: String,
    pub materials_generated: bool,
    pub created_at: DateTime<Utc>,
    pub invitations: Vec<InvitationResponse>,
}

fn response(m: MeetingRecord, invitations: Vec<AttendanceRecord>) -> MeetingResponse {
    MeetingResponse {
        id: m.id,
        meeting_type: *m.meeting_type,
        title: m.title,
        scheduled_at: m.scheduled_at,
        location: m.location,
        agenda: m.agenda,
        materials_generated: m.materials_generated,
        created_at: m.created_at,
        invitations: invitations.into_iter().map(Into::into).collect(),
    }
}

/// Body of `PUT /api/v1/partner-meetings/{id}/rsvp`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RsvpRequest {
    /// `accepted`, `declined` or `tentative`.
    pub status: RsvpStatus,
}

/// Body of `PUT /api/v1/partner-meetings/{id}/attendance/{partnerId}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendanceRequest {
    pub attended: bool,
}

/// One partner's part of the meeting pack.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialResponse {
    pub partner_id: Uuid,
    #[schema(value_type = Object)]
    pub analytics: serde_json::Value,
    pub csv: String,
    pub generated_at: DateTime<Utc>,
}

/// Query of `GET /api/v1/partner-meetings`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListMeetingsQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The meeting and whose invitations the caller sees: organizers all, a partner its own
/// (404 when it is not invited).
async fn visible(
    conn: &mut PgConnection,
    who: Caller,
    id: Uuid,
) -> Result<(MeetingRecord, Option<Uuid>), ApiError> {
    who.require_known()?;
    let meeting = store::meetings::fetch(&mut *conn, id)
        .await?
        .ok_or(PartnerError::NotFound("partner meeting", id))?;
    let partner = match who {
        Caller::Partner { .. } => Some(own_partner(conn, who).await?.id),
        _ => None,
    };
    if let Some(partner_id) = partner {
        if store::meetings::attendance(&mut *conn, id, Some(partner_id))
            .await?
            .is_empty()
        {
            return Err(PartnerError::NotFound("partner meeting", id).into());
        }
    }
    Ok((meeting, partner))
}

/// Schedules a meeting and invites every active partner's primary contact by mail
/// (organizers). Honors `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/partner-meetings", tag = "partner-meetings", request_body = MeetingRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = MeetingResponse, headers(("Location" = String))), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn schedule_meeting(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    RequestContext(context): RequestContext,
    body: Result<Json<MeetingRequest>, ApiError>,
) -> Result<Response, ApiError> {
    caller(&actor).require_organizer()?;
    let Json(request) = body?;
    let now = Utc::now();
    let fields = MeetingFields {
        meeting_type: request.meeting_type,
        title: request.title.clone(),
        scheduled_at: request.scheduled_at,
        location: request.location.clone(),
        agenda: request.agenda.clone(),
    }
    .into_valid()
    .map_err(ApiError::validation)?;
    meeting::check_schedule(fields.scheduled_at, now).map_err(|e| ApiError::validation(vec![e]))?;
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
    let id = shared_domain::new_id();
    store::meetings::insert(&mut tx, id, &fields, &actor.subject, now).await?;
    for invitee in store::contacts::primaries_of_active(&mut tx).await? {
        let contact = invitee.contact;
        store::meetings::invite(&mut tx, id, contact.partner_id, contact.id).await?;
        let invited = PartnerMeetingInvited {
            meeting_id: id,
            partner_id: contact.partner_id,
            contact_id: contact.id,
            company_name: invitee.company_name.unwrap_or_default(),
            meeting_type: Known::from(fields.meeting_type),
            title: fields.title.clone(),
            scheduled_at: fields.scheduled_at,
            location: fields.location.clone(),
            agenda: fields.agenda.clone(),
            invited_at: now,
        };
        enqueue(&mut tx, &invited, &context).await?;
    }
    let meeting = store::meetings::fetch(&mut *tx, id)
        .await?
        .ok_or(PartnerError::NotFound("partner meeting", id))?;
    let invitations = store::meetings::attendance(&mut *tx, id, None).await?;
    let body = response(meeting, invitations);
    let answer = idempotency::created(format!("/api/v1/partner-meetings/{id}"), None, &body);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// Lists meetings, latest first: organizers all, a partner those it is invited to.
#[utoipa::path(get, path = "/api/v1/partner-meetings", tag = "partner-meetings", params(ListMeetingsQuery),
    responses((status = 200, body = Page<MeetingResponse>), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_meetings(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListMeetingsQuery>,
) -> Result<Json<Page<MeetingResponse>>, ApiError> {
    let who = caller(&actor);
    who.require_known()?;
    let mut conn = state.pool.acquire().await?;
    let partner = match who {
        Caller::Partner { .. } => Some(own_partner(&mut conn, who).await?.id),
        _ => None,
    };
    let page = PageRequest::parse::<(DateTime<Utc>, Uuid)>(query.limit, query.cursor.as_deref())?;
    let rows =
        store::meetings::list(&mut *conn, partner, page.after.as_ref(), page.fetch_limit()).await?;
    let page = Page::from_rows(rows, page.limit, |m| (m.scheduled_at, m.id));
    let mut items = Vec::with_capacity(page.items.len());
    for meeting in page.items {
        let invitations = store::meetings::attendance(&mut *conn, meeting.id, partner).await?;
        items.push(response(meeting, invitations));
    }
    Ok(Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Reads a meeting with the invitations the caller may see.
#[utoipa::path(get, path = "/api/v1/partner-meetings/{id}", tag = "partner-meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = MeetingResponse), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_meeting(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<MeetingResponse>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (meeting, partner) = visible(&mut conn, caller(&actor), id).await?;
    let invitations = store::meetings::attendance(&mut *conn, id, partner).await?;
    Ok(Json(response(meeting, invitations)))
}

/// The calling partner answers an invitation until the meeting starts (partner tokens).
#[utoipa::path(put, path = "/api/v1/partner-meetings/{id}/rsvp", tag = "partner-meetings", request_body = RsvpRequest,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InvitationResponse), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The meeting has started, or `invited` is no answer", body = Problem)),
    security(("bearer" = [])))]
pub async fn answer_meeting(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    body: Result<Json<RsvpRequest>, ApiError>,
) -> Result<Json<InvitationResponse>, ApiError> {
    let who = caller(&actor);
    who.partner_company()?;
    let mut tx = state.pool.begin().await?;
    let (meeting, partner) = visible(&mut tx, who, id).await?;
    let partner_id = partner.ok_or(PartnerError::NotFound("partner meeting", id))?;
    let Json(request) = body?;
    let now = Utc::now();
    meeting::check_rsvp(request.status, meeting.scheduled_at, now)?;
    store::meetings::answer(&mut tx, id, partner_id, request.status, now).await?;
    let invitation = store::meetings::attendance(&mut *tx, id, Some(partner_id))
        .await?
        .into_iter()
        .next()
        .ok_or(PartnerError::NotFound("partner meeting", id))?;
    tx.commit().await?;
    Ok(Json(invitation.into()))
}

/// Records whether an invited partner attended (organizers, once the meeting started).
#[utoipa::path(put, path = "/api/v1/partner-meetings/{id}/attendance/{partnerId}", tag = "partner-meetings", request_body = AttendanceRequest,
    params(("id" = Uuid, Path), ("partnerId" = Uuid, Path)),
    responses((status = 200, body = InvitationResponse), (status = 403, body = Problem),
        (status = 404, description = "No such meeting, or the partner was not invited", body = Problem),
        (status = 409, description = "The meeting has not started", body = Problem)),
    security(("bearer" = [])))]
pub async fn record_attendance(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, partner_id)): Path<(Uuid, Uuid)>,
    body: Result<Json<AttendanceRequest>, ApiError>,
) -> Result<Json<InvitationResponse>, ApiError> {
    caller(&actor).require_organizer()?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    let meeting = store::meetings::fetch(&mut *tx, id)
        .await?
        .ok_or(PartnerError::NotFound("partner meeting", id))?;
    meeting::check_attendance(meeting.scheduled_at, Utc::now())?;
    if !store::meetings::record_attendance(&mut tx, id, partner_id, request.attended).await? {
        return Err(PartnerError::NotFound("invitation of partner", partner_id).into());
    }
    let invitation = store::meetings::attendance(&mut *tx, id, Some(partner_id))
        .await?
        .into_iter()
        .next()
        .ok_or(PartnerError::NotFound("invitation of partner", partner_id))?;
    tx.commit().await?;
    Ok(Json(invitation.into()))
}

/// Produces the meeting pack: every invited partner's analytics as JSON and CSV; the
/// meeting then shows `materialsGenerated` (organizers; again to refresh). Honors
/// `Idempotency-Key`: a retry answers the pack it generated.
#[utoipa::path(post, path = "/api/v1/partner-meetings/{id}/materials", tag = "partner-meetings", params(("id" = Uuid, Path)),
    responses((status = 201, body = Vec<MaterialResponse>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "The Idempotency-Key was used for another meeting", body = Problem)),
    security(("bearer" = [])))]
pub async fn generate_materials(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    caller(&actor).require_organizer()?;
    let mut tx = state.pool.begin().await?;
    store::meetings::fetch(&mut *tx, id)
        .await?
        .ok_or(PartnerError::NotFound("partner meeting", id))?;
    let fingerprint = idempotency::fingerprint(&id);
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &fingerprint).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    let now = Utc::now();
    for invitation in store::meetings::attendance(&mut *tx, id, None).await? {
        let Some(partner) = store::partners::fetch(&mut *tx, invitation.partner_id).await? else {
            continue;
        };
        let analytics = report::analytics(&mut tx, &partner, now).await?;
        let json = serde_json::to_value(&analytics).map_err(ApiError::internal)?;
        store::meetings::store_material(&mut tx, id, partner.id, &json, &to_csv(&analytics), now)
            .await?;
    }
    let pack = materials_of(&mut tx, id, None).await?;
    let answer = SavedResponse::json(StatusCode::CREATED, HeaderMap::new(), &pack);
    let response = once.finish(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(response)
}

/// The meeting pack: organizers all of it, a partner its own part.
#[utoipa::path(get, path = "/api/v1/partner-meetings/{id}/materials", tag = "partner-meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<MaterialResponse>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn meeting_materials(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<MaterialResponse>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (_, partner) = visible(&mut conn, caller(&actor), id).await?;
    Ok(Json(materials_of(&mut conn, id, partner).await?))
}

async fn materials_of(
    conn: &mut PgConnection,
    id: Uuid,
    partner: Option<Uuid>,
) -> Result<Vec<MaterialResponse>, ApiError> {
    Ok(store::meetings::materials(&mut *conn, id, partner)
        .await?
        .into_iter()
        .map(|m| MaterialResponse {
            partner_id: m.partner_id,
            analytics: m.analytics,
            csv: m.csv,
            generated_at: m.generated_at,
        })
        .collect())
}
