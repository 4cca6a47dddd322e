//! The partners HTTP API and its OpenAPI document.

pub mod analytics;
pub mod contacts;
pub mod dto;
pub mod meetings;
pub mod partners;
pub mod suggestions;
pub mod votes;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use service_kit::openapi::{BearerAuth, ProblemResponses};
use service_kit::{Actor, ApiError, Authenticator, Role};
use sqlx::PgConnection;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::domain::access::Caller;
use crate::domain::PartnerError;
use crate::store;
use crate::store::partners::PartnerRecord;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: sqlx::PgPool,
    pub auth: Arc<Authenticator>,
    /// Where webhook deliveries may go.
    pub webhook_policy: crate::domain::webhook::TargetPolicy,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl From<PartnerError> for ApiError {
    fn from(error: PartnerError) -> Self {
        let detail = error.to_string();
        match error {
            PartnerError::NotFound(..) => ApiError::not_found(detail),
            PartnerError::Conflict(_) => ApiError::conflict(detail),
            PartnerError::Forbidden(_) => ApiError::forbidden(detail),
        }
    }
}

/// The caller as the access rules see them.
pub fn caller(actor: &Actor) -> Caller {
    if actor.has(Role::Organizer) {
        Caller::Organizer
    } else if let (true, Some(company_id)) = (actor.has(Role::Partner), actor.company_id) {
        Caller::Partner { company_id }
    } else {
        Caller::Other
    }
}

/// Partner `id` if the caller may see it; 404 otherwise (others learn nothing).
pub async fn visible_partner(
    conn: &mut PgConnection,
    caller: Caller,
    id: Uuid,
) -> Result<PartnerRecord, ApiError> {
    caller.require_known()?;
    store::partners::fetch(&mut *conn, id)
        .await?
        .filter(|p| caller.sees(p.company_id))
        .ok_or_else(|| PartnerError::NotFound("partner", id).into())
}

/// The partner a partner caller speaks for (403 for other callers; 404 when its company
/// is no partner).
pub async fn own_partner(
    conn: &mut PgConnection,
    caller: Caller,
) -> Result<PartnerRecord, ApiError> {
    let company_id = caller.partner_company()?;
    store::partners::of_company(&mut *conn, company_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("company {company_id} is no partner")))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "BATbern partners API", version = "1.0.0",
        description = "Partners of the conference series and their portal: tiers and benefits, contacts, tier-weighted topic votes, topic suggestions, partner meetings with RSVP, and analytics. \
Partner integrations call it with partner tokens whose `companyId` claim names their company; they see and change only their own partner (anything else answers 404). Organizers see all. Errors are RFC 9457 problem+json.\n\n\
**Vote weights** by tier: bronze 1, silver 1, gold 2, platinum 3, strategic 3. A topic's **partner influence score** (kept by the events service) is the weighted mean vote mapped onto 0–100: 100 × Σ weight × (vote − 1) ÷ (4 × Σ weight), two decimals; absent without votes.\n\n\
**Analytics**: `totalEmployeeAttendanceAllEvents` = registrations of the company's employees recorded as attended; `averageAttendancePerEvent` = that total ÷ events with any attendance recorded; `contentEngagementScore` = 100 × attended ÷ recorded registrations of the company's employees; `topicInfluenceScore` = 100 × the partner's weighted interest (weight × (vote − 1)) in topics an event then used ÷ its weighted interest in all topics it voted on; `materialDownloads` = downloads of session materials by the company's employees (the company the attendance records name) and its integration, once per downloader and hour; `brandExposureMetrics` = the published events held during the partnership and the benefits that applied there. Each is 0 when nothing was recorded."),
    modifiers(&BearerAuth),
    tags((name = "partners"), (name = "contacts"), (name = "topic-votes"), (name = "topic-suggestions"), (name = "partner-meetings"), (name = "analytics"),
        (name = "partner-webhooks", description = "Signed deliveries of the events that concern a partner (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` = `v1,` base64 HMAC-SHA256 of `<id>.<timestamp>.<body>` under the base64 key after `whsec_`), retried for more than 24 hours"))
)]
struct ApiDoc;

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(partners::create_partner, partners::list_partners))
        .routes(routes!(partners::benefit_catalogue))
        .routes(routes!(partners::get_partner, partners::update_partner))
        .routes(routes!(contacts::add_contact, contacts::list_contacts))
        .routes(routes!(contacts::update_contact, contacts::remove_contact))
        .routes(routes!(analytics::partner_analytics))
        .routes(routes!(votes::cast_vote, votes::withdraw_vote))
        .routes(routes!(votes::list_votes))
        .routes(routes!(
            suggestions::suggest_topic,
            suggestions::list_suggestions
        ))
        .routes(routes!(suggestions::get_suggestion))
        .routes(routes!(suggestions::decide_suggestion))
        .routes(routes!(meetings::schedule_meeting, meetings::list_meetings))
        .routes(routes!(meetings::get_meeting))
        .routes(routes!(meetings::answer_meeting))
        .routes(routes!(meetings::record_attendance))
        .routes(routes!(
            meetings::generate_materials,
            meetings::meeting_materials
        ))
        .routes(routes!(
            webhooks::create_subscription,
            webhooks::list_subscriptions
        ))
        .routes(routes!(webhooks::delete_subscription))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::replay_delivery))
        .split_for_parts();
    ProblemResponses::apply(&mut document);
    (router, document)
}

/// The OpenAPI document of this service (committed as `openapi/partners.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The API routes, the OpenAPI document and its interactive reference page.
pub fn router(state: AppState) -> Router {
    let (router, document) = split();
    router
        .with_state(state)
        .merge(service_kit::openapi::api_reference("partners", document))
}
