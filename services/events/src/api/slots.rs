//! Handlers of the slot grid: generation, slot settings, speakers' slot preferences,
//! automatic assignment (exact, preference-maximising) and manual overrides.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Europe::Zurich;
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, RequestContext, Role};
use shared_domain::contracts::events::{SessionScheduled, SessionUpdated};
use shared_domain::validation::implausible_time;
use slot_assignment::{Candidate, Settings, Slot};
use sqlx::PgConnection;
use uuid::Uuid;

use super::dto::{
    AutoAssignResponse, GenerateSlotsRequest, ManualAssignmentRequest, ManualAssignmentResponse,
    SlotPreferencesRequest, SlotPreferencesResponse, SlotResponse, UpdateSlotRequest,
};
use super::AppState;
use crate::domain::session::lead_speaker;
use crate::domain::slots::{generate, MORNING_ENDS_HOUR};
use crate::domain::EventError;
use crate::store;
use crate::store::events::EventRecord;
use crate::store::sessions::{SessionRecord, SessionSpeakerRecord};
use crate::store::slots::{AssignmentOrigin, SlotRecord};

async fn slots_response(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<SlotResponse>, sqlx::Error> {
    Ok(store::slots::list_slots(conn, event_id)
        .await?
        .into_iter()
        .map(SlotResponse::from)
        .collect())
}

/// Lays out the event's slot grid from its configuration (organizers). Replaces the grid
/// and its assignments; only before publication.
#[utoipa::path(post, path = "/api/v1/events/{id}/slots/generate", tag = "slots", request_body = GenerateSlotsRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SlotResponse>), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn generate_slots(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
    body: Result<Json<GenerateSlotsRequest>, ApiError>,
) -> Result<Json<Vec<SlotResponse>>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    event.status().ensure_planning_open()?;
    let config = &event.slot_configuration.0;
    if let Some(problem) = request
        .starts_at
        .and_then(|s| implausible_time("startsAt", s))
    {
        return Err(ApiError::validation(vec![problem]));
    }
    let starts_at = request.starts_at.unwrap_or(event.event_date);
    let latest =
        event.event_date + chrono::Duration::hours(crate::domain::session::EVENT_DAY_HOURS - 4);
    if starts_at < event.event_date || starts_at > latest {
        return Err(ApiError::invalid_field(
            "startsAt",
            format!(
                "must lie between the event start {} and {latest}",
                event.event_date
            ),
        ));
    }
    let planned = generate(
        config,
        starts_at,
        request.slot_count.unwrap_or(config.max_slots),
    )
    .map_err(|message| ApiError::invalid_field("slotCount", message))?;
    store::slots::replace_slots(&mut tx, event_id, &planned).await?;
    let slots = slots_response(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(Json(slots))
}

/// The event's slots with their assignments.
#[utoipa::path(get, path = "/api/v1/events/{id}/slots", tag = "slots", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SlotResponse>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_slots(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
) -> Result<Json<Vec<SlotResponse>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    store::events::fetch_event(&mut *conn, event_id)
        .await?
        .filter(|e| e.status().visible_to(actor.has(Role::Organizer)))
        .ok_or(EventError::NotFound(event_id))?;
    Ok(Json(slots_response(&mut conn, event_id).await?))
}

/// Changes a slot's flexibility and technical capabilities (organizers).
#[utoipa::path(patch, path = "/api/v1/events/{id}/slots/{slot_id}", tag = "slots", request_body = UpdateSlotRequest,
    params(("id" = Uuid, Path), ("slot_id" = Uuid, Path)),
    responses((status = 200, body = SlotResponse), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn update_slot(
    State(state): State<AppState>,
    actor: Actor,
    Path((event_id, slot_id)): Path<(Uuid, Uuid)>,
    body: Result<Json<UpdateSlotRequest>, ApiError>,
) -> Result<Json<SlotResponse>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let slot = store::slots::list_slots(&mut *tx, event_id)
        .await?
        .into_iter()
        .find(|s| s.id == slot_id)
        .ok_or(EventError::SlotNotFound(slot_id))?;
    let requirements = request
        .technical_requirements
        .unwrap_or(slot.technical_requirements.0.clone());
    store::slots::update_slot(
        &mut tx,
        slot_id,
        request.is_flexible.unwrap_or(slot.is_flexible),
        &requirements,
    )
    .await?;
    let slot = store::slots::list_slots(&mut *tx, event_id)
        .await?
        .into_iter()
        .find(|s| s.id == slot_id)
        .ok_or(EventError::SlotNotFound(slot_id))?;
    tx.commit().await?;
    Ok(Json(SlotResponse::from(slot)))
}

/// Records a speaker's slot preferences for the event (organizers, on the speaker's behalf;
/// the same shape the speakers context publishes as `SlotPreferencesSubmitted`).
#[utoipa::path(put, path = "/api/v1/events/{id}/slot-preferences/{speaker_id}", tag = "slots", request_body = SlotPreferencesRequest,
    params(("id" = Uuid, Path), ("speaker_id" = Uuid, Path)),
    responses((status = 200, body = SlotPreferencesResponse), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_slot_preferences(
    State(state): State<AppState>,
    actor: Actor,
    Path((event_id, speaker_id)): Path<(Uuid, Uuid)>,
    body: Result<Json<SlotPreferencesRequest>, ApiError>,
) -> Result<Json<SlotPreferencesResponse>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
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
    let mut tx = state.pool.begin().await?;
    store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let value = serde_json::to_value(&request).map_err(ApiError::internal)?;
    store::slots::upsert_preferences(&mut tx, event_id, speaker_id, &value, Utc::now()).await?;
    let stored = preferences(&mut tx, event_id)
        .await?
        .into_iter()
        .find(|p| p.speaker_id == speaker_id)
        .ok_or(EventError::NotFound(event_id))?;
    tx.commit().await?;
    Ok(Json(stored))
}

/// Every speaker's slot preferences for the event (organizers).
#[utoipa::path(get, path = "/api/v1/events/{id}/slot-preferences", tag = "slots", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SlotPreferencesResponse>)), security(("bearer" = [])))]
pub async fn list_slot_preferences(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
) -> Result<Json<Vec<SlotPreferencesResponse>>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let mut conn = state.pool.acquire().await?;
    Ok(Json(preferences(&mut conn, event_id).await?))
}

async fn preferences(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> Result<Vec<SlotPreferencesResponse>, ApiError> {
    store::slots::preferences_of_event(conn, event_id)
        .await?
        .into_iter()
        .map(|(speaker_id, value, submitted_at, last_updated_at)| {
            let preferences = serde_json::from_value(value).map_err(ApiError::internal)?;
            Ok(SlotPreferencesResponse {
                speaker_id,
                event_id,
                preferences,
                submitted_at,
                last_updated_at,
            })
        })
        .collect()
}

fn local_time(at: DateTime<Utc>) -> NaiveTime {
    at.with_timezone(&Zurich).time()
}

fn slot_input(slot: &SlotRecord) -> Slot {
    Slot {
        id: slot.id,
        slot_number: slot.slot_number,
        start: local_time(slot.start_time),
        end: local_time(slot.end_time),
        slot_type: slot.slot_type(),
        technical_capabilities: slot
            .technical_requirements
            .0
            .iter()
            .map(|r| r.requirement.clone())
            .collect(),
    }
}

/// A session as a candidate for a slot: its primary speaker's preferences (any speaker's
/// when there is no primary one). A session tagged `theoretical` counts as theoretical.
fn candidate(
    session: &SessionRecord,
    speakers: &[SessionSpeakerRecord],
    preferences: &HashMap<Uuid, SlotPreferencesRequest>,
) -> Candidate {
    let own: Vec<&SessionSpeakerRecord> = speakers
        .iter()
        .filter(|s| s.session_id == session.id)
        .collect();
    let speaker_id = lead_speaker(&own, |s| &s.role).map_or(Uuid::nil(), |s| s.speaker_id);
    let prefs = preferences.get(&speaker_id);
    Candidate {
        session_id: session.id,
        speaker_id,
        is_theoretical: session
            .tags
            .0
            .iter()
            .any(|t| t.eq_ignore_ascii_case("theoretical")),
        preferences: prefs
            .map(|p| p.preferred_time_slots.clone())
            .unwrap_or_default(),
        cannot_present_after: prefs.and_then(|p| p.cannot_present_after),
        required_capabilities: prefs
            .map(|p| {
                p.technical_requirements
                    .iter()
                    .filter(|r| r.is_required)
                    .map(|r| r.requirement.clone())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn settings(event: &EventRecord) -> Settings {
    Settings {
        theoretical_slots_in_morning: event.slot_configuration.0.theoretical_slots_am,
        morning_ends: NaiveTime::from_hms_opt(MORNING_ENDS_HOUR, 0, 0).expect("valid hour"),
    }
}

/// Everything the assignment needs about an event.
struct Planning {
    event: EventRecord,
    slots: Vec<SlotRecord>,
    sessions: Vec<SessionRecord>,
    speakers: Vec<SessionSpeakerRecord>,
    preferences: HashMap<Uuid, SlotPreferencesRequest>,
}

async fn planning(conn: &mut PgConnection, event_id: Uuid) -> Result<Planning, ApiError> {
    let event = store::events::lock_event(conn, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    event.status().ensure_planning_open()?;
    let slots = store::slots::list_slots(&mut *conn, event_id).await?;
    let sessions = store::sessions::list_sessions(&mut *conn, event_id)
        .await?
        .into_iter()
        .filter(|s| s.cancelled_at.is_none())
        .collect();
    let speakers = store::sessions::speakers_of_event(&mut *conn, event_id).await?;
    let preferences = preferences(conn, event_id)
        .await?
        .into_iter()
        .map(|p| (p.speaker_id, p.preferences))
        .collect();
    Ok(Planning {
        event,
        slots,
        sessions,
        speakers,
        preferences,
    })
}

/// Moves a session into its slot's time (`SessionUpdated` when that changed it) and
/// announces it scheduled there (its confirmed speakers move to `slot_assigned`).
async fn align_session(
    conn: &mut PgConnection,
    session: &SessionRecord,
    slot: &SlotRecord,
    context: &EventContext,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let scheduled = SessionScheduled {
        session_id: session.id,
        event_id: session.event_id,
        slot_number: slot.slot_number,
        start_time: slot.start_time,
        end_time: slot.end_time,
        scheduled_at: now,
    };
    enqueue(&mut *conn, &scheduled, context).await?;
    if session.start_time == slot.start_time && session.end_time == slot.end_time {
        return Ok(());
    }
    let mut fields = session.fields();
    fields.start_time = slot.start_time;
    fields.end_time = slot.end_time;
    store::sessions::update_session(&mut *conn, session.id, &fields, now).await?;
    let record = store::sessions::fetch_session(&mut *conn, session.id)
        .await?
        .ok_or(EventError::SessionNotFound(session.id))?;
    enqueue(
        conn,
        &SessionUpdated {
            session: SessionRecord::snapshot(&record),
        },
        context,
    )
    .await?;
    Ok(())
}

/// Assigns the sessions whose speakers all accepted to slots, maximising the speakers'
/// total preference without breaking a hard constraint (organizers). Manual overrides stay.
#[utoipa::path(post, path = "/api/v1/events/{id}/slots/auto-assign", tag = "slots", params(("id" = Uuid, Path)),
    responses((status = 200, body = AutoAssignResponse), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn auto_assign(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Json<AutoAssignResponse>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let mut tx = state.pool.begin().await?;
    let plan = planning(&mut tx, event_id).await?;
    let declined = store::overflow::declined_sessions(&mut *tx, event_id).await?;
    let (open_slots, candidates, kept_manual) = assignment_inputs(&plan, &declined);
    let result = slot_assignment::assign(&open_slots, &candidates, &settings(&plan.event));
    store::slots::clear_automatic(&mut tx, event_id).await?;
    let origin = AssignmentOrigin {
        assigned_by: &actor.subject,
        automatic: true,
        manual_override: false,
        conflict_resolution: None,
    };
    let now = Utc::now();
    for (session_id, slot_id, _) in &result.pairs {
        store::slots::assign(&mut tx, *slot_id, *session_id, &origin, now).await?;
        let (session, slot) = (
            plan.sessions.iter().find(|s| s.id == *session_id),
            plan.slots.iter().find(|s| s.id == *slot_id),
        );
        if let (Some(session), Some(slot)) = (session, slot) {
            align_session(&mut tx, session, slot, &context).await?;
        }
    }
    if !result.pairs.is_empty() {
        super::agenda_changes::announce(&mut tx, &plan.event, &context).await?;
    }
    let slots = slots_response(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(Json(AutoAssignResponse::new(&result, kept_manual, slots)))
}

/// What automatic assignment works with: the slots not placed by hand, the sessions that
/// may be placed (with speakers who all accepted, not kept by hand, not declined in
/// overflow voting) as candidates, and the slots placed by hand.
fn assignment_inputs(plan: &Planning, declined: &[Uuid]) -> (Vec<Slot>, Vec<Candidate>, Vec<Uuid>) {
    let manual = |s: &&SlotRecord| s.manual_override == Some(true);
    let kept_manual: Vec<Uuid> = plan.slots.iter().filter(manual).map(|s| s.id).collect();
    let kept_sessions: Vec<Uuid> = plan
        .slots
        .iter()
        .filter(manual)
        .filter_map(|s| s.assigned_session_id)
        .collect();
    let open_slots = plan
        .slots
        .iter()
        .filter(|s| !manual(s))
        .map(slot_input)
        .collect();
    let placeable = |s: &&SessionRecord| {
        let own: Vec<_> = plan
            .speakers
            .iter()
            .filter(|sp| sp.session_id == s.id)
            .collect();
        s.session_type().has_speakers()
            && !own.is_empty()
            && own.iter().all(|sp| sp.is_confirmed)
            && !kept_sessions.contains(&s.id)
            && !declined.contains(&s.id)
    };
    let candidates = plan
        .sessions
        .iter()
        .filter(placeable)
        .map(|s| candidate(s, &plan.speakers, &plan.preferences))
        .collect();
    (open_slots, candidates, kept_manual)
}

/// Places a session into a slot by hand (organizers), whatever the rules; the answer lists
/// every rule the placement breaks so organizers see what they override.
#[utoipa::path(put, path = "/api/v1/events/{id}/slots/{slot_id}/assignment", tag = "slots", request_body = ManualAssignmentRequest,
    params(("id" = Uuid, Path), ("slot_id" = Uuid, Path)),
    responses((status = 200, body = ManualAssignmentResponse), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn assign_manually(
    State(state): State<AppState>,
    actor: Actor,
    Path((event_id, slot_id)): Path<(Uuid, Uuid)>,
    RequestContext(context): RequestContext,
    body: Result<Json<ManualAssignmentRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    let plan = planning(&mut tx, event_id).await?;
    let slot = plan
        .slots
        .iter()
        .find(|s| s.id == slot_id)
        .ok_or(EventError::SlotNotFound(slot_id))?;
    let session = plan
        .sessions
        .iter()
        .find(|s| s.id == request.session_id)
        .ok_or_else(|| {
            ApiError::invalid_field("sessionId", "is not a live session of this event")
        })?;
    let conflicts = slot_assignment::check_manual(
        &slot_input(slot),
        &candidate(session, &plan.speakers, &plan.preferences),
        &settings(&plan.event),
    );
    if !slot.slot_type().is_assignable() {
        return Err(ApiError::invalid_field(
            "slotId",
            format!(
                "slot {} is a {} slot and holds no session",
                slot.slot_number, slot.slot_type
            ),
        ));
    }
    let origin = AssignmentOrigin {
        assigned_by: &actor.subject,
        automatic: false,
        manual_override: true,
        conflict_resolution: request.conflict_resolution.as_deref(),
    };
    store::slots::assign(&mut tx, slot_id, session.id, &origin, Utc::now()).await?;
    align_session(&mut tx, session, slot, &context).await?;
    super::agenda_changes::announce(&mut tx, &plan.event, &context).await?;
    let slot = store::slots::list_slots(&mut *tx, event_id)
        .await?
        .into_iter()
        .find(|s| s.id == slot_id)
        .ok_or(EventError::SlotNotFound(slot_id))?;
    tx.commit().await?;
    Ok(Json(ManualAssignmentResponse {
        slot: SlotResponse::from(slot),
        conflicts,
    })
    .into_response())
}
