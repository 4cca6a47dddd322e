//! Speakers submit their ranked slot preferences per event (self-service or organizers on
//! their behalf); `SlotPreferencesSubmitted` carries them to the events context's slot
//! assignment in the same transaction.

use axum::extract::State;
use chrono::{NaiveTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, RequestContext};
use shared_domain::contracts::speakers::{
    PreferenceWindow, SlotPreferencesSubmitted, TechnicalNeed,
};
use sqlx::types::Json as JsonColumn;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::SpeakerError;
use crate::store;

/// How much a speaker wants a window.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceLevel {
    StronglyPreferred,
    Preferred,
    Acceptable,
    NotPreferred,
    Unavailable,
}

/// A ranked window of the event day (local times such as `09:00`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferredTimeSlot {
    #[schema(value_type = String, example = "17:00")]
    pub start_time: NaiveTime,
    #[schema(value_type = String, example = "18:30")]
    pub end_time: NaiveTime,
    pub preference: PreferenceLevel,
}

/// A technical requirement of the speaker.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TechnicalRequirement {
    pub id: String,
    pub requirement: String,
    pub is_required: bool,
    pub description: Option<String>,
}

/// Body of `PUT /api/v1/speakers/{id}/slot-preferences/{eventId}` (the seed's
/// `SpeakerSlotPreferences`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotPreferences {
    #[serde(default)]
    pub preferred_time_slots: Vec<PreferredTimeSlot>,
    #[serde(default)]
    pub technical_requirements: Vec<TechnicalRequirement>,
    #[schema(value_type = Option<String>, example = "16:00")]
    pub cannot_present_after: Option<NaiveTime>,
    #[serde(default)]
    pub own_laptop_required: bool,
    pub special_equipment_needs: Option<String>,
    pub accessibility_requirements: Option<String>,
}

/// Submits the speaker's slot preferences for an event where they have a session
/// (the speaker itself or organizers).
#[utoipa::path(put, path = "/api/v1/speakers/{id}/slot-preferences/{event_id}", tag = "speakers", request_body = SlotPreferences,
    params(("id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses((status = 200, body = SlotPreferences), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn submit_preferences(
    State(state): State<AppState>,
    actor: Actor,
    Path((speaker_id, event_id)): Path<(Uuid, Uuid)>,
    RequestContext(context): RequestContext,
    Json(request): Json<SlotPreferences>,
) -> Result<Json<SlotPreferences>, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(speaker_id))?;
    if let Some(index) = request
        .preferred_time_slots
        .iter()
        .position(|w| w.start_time >= w.end_time)
    {
        return Err(ApiError::invalid_field(
            &format!("preferredTimeSlots[{index}].endTime"),
            "must be after startTime",
        ));
    }
    let long = |text: &Option<String>| text.as_ref().is_some_and(|t| t.chars().count() > 2000);
    if long(&request.special_equipment_needs) || long(&request.accessibility_requirements) {
        return Err(ApiError::invalid_field(
            "specialEquipmentNeeds",
            "free text is limited to 2000 characters",
        ));
    }
    let mut tx = state.pool.begin().await?;
    store::speakers::lock_speaker(&mut tx, speaker_id)
        .await?
        .ok_or(SpeakerError::NotFound(speaker_id))?;
    let has_session = store::assignments::of_speaker(&mut *tx, speaker_id)
        .await?
        .iter()
        .any(|a| a.event_id == event_id && a.workflow_state.is_on_session());
    if !has_session {
        return Err(ApiError::invalid_field(
            "eventId",
            "the speaker has no session at this event",
        ));
    }
    let now = Utc::now();
    sqlx::query(
        "insert into speaker_slot_preferences (speaker_id, event_id, preferences, submitted_at, last_updated_at) values ($1, $2, $3, $4, $4) \
         on conflict (speaker_id, event_id) do update set preferences = excluded.preferences, last_updated_at = excluded.last_updated_at",
    )
    .bind(speaker_id)
    .bind(event_id)
    .bind(JsonColumn(&request))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let submitted = SlotPreferencesSubmitted {
        speaker_id,
        event_id,
        preferred_time_slots: request
            .preferred_time_slots
            .iter()
            .map(|w| PreferenceWindow {
                start_time: w.start_time,
                end_time: w.end_time,
                preference: shared_domain::names::enum_name(&w.preference),
            })
            .collect(),
        technical_requirements: request
            .technical_requirements
            .iter()
            .map(|r| TechnicalNeed {
                id: r.id.clone(),
                requirement: r.requirement.clone(),
                is_required: r.is_required,
                description: r.description.clone(),
            })
            .collect(),
        cannot_present_after: request.cannot_present_after,
        own_laptop_required: request.own_laptop_required,
        special_equipment_needs: request.special_equipment_needs.clone(),
        accessibility_requirements: request.accessibility_requirements.clone(),
        submitted_at: now,
    };
    enqueue(&mut tx, &submitted, &context).await?;
    tx.commit().await?;
    Ok(Json(request))
}
