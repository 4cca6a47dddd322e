//! `/api/v1/notification-preferences/{userId}`: a person's preferences per channel and
//! notification type (`all` sets their default), and the contact of people no other
//! context holds one for (organizers). Readable and writable by the person and organizers.
//!
//! Mandatory (transactional) types — the speaker invitation, a review's request for
//! changes, the critical deadline reminder and its escalation, registration outcomes, the
//! newsletter confirmation and digests — go out whatever the preferences say; disabling
//! one is refused.

use axum::extract::State;
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::Stored;
use service_kit::{Actor, ApiError, Json, Path, Role};
use shared_domain::validation::Validator;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::{enum_name, Channel, Frequency, Language, RecipientKind, TemplateType};
use crate::store::directory::{self, Contact};
use crate::store::preferences::{self as store, PreferenceRow};

/// One preference.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferenceResponse {
    pub id: Uuid,
    pub user_id: Uuid,
    pub channel: Channel,
    /// A notification type, or `all`.
    pub notification_type: String,
    pub is_enabled: bool,
    pub frequency: Frequency,
    /// HH:MM, Bern time.
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<PreferenceRow> for PreferenceResponse {
    fn from(row: PreferenceRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            channel: *row.channel,
            notification_type: row.notification_type,
            is_enabled: row.is_enabled,
            frequency: *row.frequency,
            quiet_hours_start: row.quiet_hours_start.map(|t| t.format("%H:%M").to_string()),
            quiet_hours_end: row.quiet_hours_end.map(|t| t.format("%H:%M").to_string()),
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreferenceList {
    pub items: Vec<PreferenceResponse>,
}

/// Body of `PUT …/{channel}/{notificationType}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetPreferenceRequest {
    pub is_enabled: bool,
    pub frequency: Option<Frequency>,
    /// HH:MM (Bern time); given together with `quietHoursEnd`, may span midnight.
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
}

/// Body of `PUT …/contact`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetContactRequest {
    pub email: String,
    pub display_name: String,
    pub language: Language,
}

/// A person's contact as notifications holds it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactResponse {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub language: Language,
}

/// The person themself (by token subject, speaker or attendee id) or an organizer.
fn may_manage(actor: &Actor, user_id: Uuid) -> Result<(), ApiError> {
    let own = Uuid::parse_str(&actor.subject).ok() == Some(user_id)
        || actor.speaker_id == Some(user_id)
        || actor.attendee_id == Some(user_id);
    if own || actor.has(Role::Organizer) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "These are someone else's notification settings",
        ))
    }
}

fn parse_time(field: &str, value: Option<&str>, v: &mut Validator) -> Option<NaiveTime> {
    let value = value?;
    match NaiveTime::parse_from_str(value, "%H:%M") {
        Ok(time) => Some(time),
        Err(_) => {
            v.reject(field, "must be a time of day as HH:MM");
            None
        }
    }
}

/// Lists a person's preferences.
#[utoipa::path(get, path = "/api/v1/notification-preferences/{userId}", tag = "notification-preferences",
    params(("userId" = Uuid, Path)),
    responses((status = 200, body = PreferenceList), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_preferences(
    State(state): State<AppState>,
    actor: Actor,
    Path(user_id): Path<Uuid>,
) -> Result<Json<PreferenceList>, ApiError> {
    may_manage(&actor, user_id)?;
    let rows = store::list_preferences(&state.pool, user_id).await?;
    Ok(Json(PreferenceList {
        items: rows.into_iter().map(PreferenceResponse::from).collect(),
    }))
}

/// Sets a person's preference for one channel and notification type (`all`: the default).
#[utoipa::path(put, path = "/api/v1/notification-preferences/{userId}/{channel}/{notificationType}", tag = "notification-preferences",
    params(("userId" = Uuid, Path), ("channel" = Channel, Path), ("notificationType" = String, Path, description = "A template type, or `all`")),
    request_body = SetPreferenceRequest,
    responses((status = 200, body = PreferenceResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_preference(
    State(state): State<AppState>,
    actor: Actor,
    Path((user_id, channel, notification_type)): Path<(Uuid, String, String)>,
    body: Result<Json<SetPreferenceRequest>, ApiError>,
) -> Result<Json<PreferenceResponse>, ApiError> {
    may_manage(&actor, user_id)?;
    let Json(request) = body?;
    let channel: Channel = serde_json::from_value(serde_json::Value::String(channel))
        .map_err(|_| ApiError::malformed_field("channel", "must be email, in_app, push or sms"))?;
    let mut v = Validator::new();
    if notification_type != "all" {
        match serde_json::from_value::<TemplateType>(serde_json::Value::String(
            notification_type.clone(),
        )) {
            Err(_) => v.reject("notificationType", "must be a notification type or `all`"),
            Ok(kind)
                if kind.is_mandatory()
                    && (!request.is_enabled
                        || request.frequency.is_some_and(|f| f != Frequency::Immediate)) =>
            {
                v.reject(
                    "notificationType",
                    "is a mandatory mail; it is always sent at once",
                );
            }
            Ok(_) => {}
        }
    }
    let start = parse_time(
        "quietHoursStart",
        request.quiet_hours_start.as_deref(),
        &mut v,
    );
    let end = parse_time("quietHoursEnd", request.quiet_hours_end.as_deref(), &mut v);
    if request.quiet_hours_start.is_some() != request.quiet_hours_end.is_some() {
        v.reject("quietHoursEnd", "quiet hours need both a start and an end");
    } else if start.is_some() && start == end {
        v.reject("quietHoursEnd", "must differ from quietHoursStart");
    }
    v.finish().map_err(ApiError::validation)?;
    let row = PreferenceRow {
        id: shared_domain::new_id(),
        user_id,
        channel: Stored(channel),
        notification_type,
        is_enabled: request.is_enabled,
        frequency: Stored(request.frequency.unwrap_or(Frequency::Immediate)),
        quiet_hours_start: start,
        quiet_hours_end: end,
        updated_at: state.clock.now(),
    };
    let mut conn = state.pool.acquire().await?;
    let saved = store::upsert_preference(&mut conn, &row).await?;
    Ok(Json(saved.into()))
}

/// Sets the mail contact of a person no other context describes (organizers, backups).
/// Speakers' and attendees' contacts come from their own profiles.
#[utoipa::path(put, path = "/api/v1/notification-preferences/{userId}/contact", tag = "notification-preferences",
    params(("userId" = Uuid, Path)),
    request_body = SetContactRequest,
    responses((status = 200, body = ContactResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A speaker or attendee: change the profile instead", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path(user_id): Path<Uuid>,
    body: Result<Json<SetContactRequest>, ApiError>,
) -> Result<Json<ContactResponse>, ApiError> {
    // Speakers, attendees and partner contacts give their address in their profiles; only
    // organizers have no profile elsewhere.
    actor.require_organizer_somewhere()?;
    may_manage(&actor, user_id)?;
    let Json(request) = body?;
    let mut v = Validator::new();
    let email = v.email("email", &request.email);
    let name = v.text("displayName", &request.display_name, 255);
    v.finish().map_err(ApiError::validation)?;
    let (email, name) = (email.unwrap_or_default(), name.unwrap_or_default());
    let mut tx = state.pool.begin().await?;
    if let Some(existing) = directory::fetch_recipient(&mut tx, user_id).await? {
        if !existing.kind.contact_set_here() {
            return Err(ApiError::conflict(format!(
                "{user_id} is a {}; their contact comes from their profile",
                enum_name(&*existing.kind)
            )));
        }
    }
    let contact = Contact {
        kind: RecipientKind::Organizer,
        email: &email,
        display_name: &name,
        language: request.language,
        optional_mail: true,
    };
    directory::upsert_recipient(&mut tx, user_id, &contact, state.clock.now()).await?;
    tx.commit().await?;
    Ok(Json(ContactResponse {
        user_id,
        email,
        display_name: name,
        language: request.language,
    }))
}
