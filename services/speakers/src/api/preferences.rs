//! Speakers submit their ranked slot preferences per event (self-service or organizers on
//! their behalf); `SlotPreferencesSubmitted` carries them to the events context's slot
//! assignment in the same transaction.

use axum::extract::State;
use chrono::Utc;
use event_bus::outbox::enqueue;
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, RequestContext};
use shared_domain::Parse;
use uuid::Uuid;

use super::AppState;
use crate::domain::preferences::SlotPreferences;
use crate::domain::SpeakerError;
use crate::store;

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
    body: Result<Json<SlotPreferences>, ApiError>,
) -> Result<Json<SlotPreferences>, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(speaker_id))?;
    let Json(request) = body?;
    let preferences = request.into_valid().map_err(ApiError::validation)?;
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
    store::preferences::upsert_preferences(&mut tx, speaker_id, event_id, &preferences, now)
        .await?;
    let submitted = preferences.submitted(speaker_id, event_id, now);
    enqueue(&mut tx, &submitted, &context).await?;
    tx.commit().await?;
    Ok(Json(preferences.into_inner()))
}
