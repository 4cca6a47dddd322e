//! GDPR endpoints of speakers: export everything the platform holds about a speaker in one
//! answer, and erase it (saga 6). Erasure neutralises the profile here (assignments keep
//! the id), destroys the speaker's key and announces `SpeakerErased` so every other context
//! forgets what it holds; it is idempotent.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::Serialize;
use serde_json::Value;
use service_kit::peers::{rows_about, Holding};
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Owner, Path, RequestContext};
use shared_domain::contracts::speakers::SpeakerErased;
use utoipa::ToSchema;
use uuid::Uuid;

use super::speakers::SpeakerResponse;
use super::AppState;
use crate::domain::SpeakerError;
use crate::store;

/// Everything the platform holds about one speaker: the profile, the speakers context's
/// other rows about them and, by service, what every other context keeps.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerExport {
    pub speaker: SpeakerResponse,
    /// By table: the speakers context's rows about the speaker (assignments, slot
    /// preferences, submitted material, reviews, their files as the content context
    /// announced them).
    #[schema(value_type = Object)]
    pub held: Value,
    /// By service (`events`, `notifications`), by table: the rows about the speaker.
    #[schema(value_type = Object)]
    pub elsewhere: BTreeMap<String, Value>,
    pub exported_at: DateTime<Utc>,
}

/// The speakers context's rows about a speaker besides the profile.
const HOLDINGS: &[Holding] = &[
    ("session_speakers", "speaker_id = $1"),
    ("speaker_slot_preferences", "speaker_id = $1"),
    (
        "submission_revisions",
        "assignment_id in (select id from session_speakers where speaker_id = $1)",
    ),
    (
        "quality_reviews",
        "assignment_id in (select id from session_speakers where speaker_id = $1)",
    ),
    ("content_files", "owner_kind = 'speaker' and owner_id = $1"),
];

/// The contexts besides the owner that keep rows about a person.
const HOLDERS: [&str; 2] = ["events", "notifications"];

/// Exports everything the platform holds about the speaker (the speaker or organizers), in
/// one answer; 503 while a context holding data about people does not answer.
#[utoipa::path(get, path = "/api/v1/speakers/{id}/export", tag = "speakers", params(("id" = Uuid, Path)),
    responses((status = 200, body = SpeakerExport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = [])))]
pub async fn export_speaker(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<SpeakerExport>, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(id))?;
    let record = store::speakers::fetch_speaker(&state.pool, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    let held = rows_about(&state.pool, id, HOLDINGS).await?;
    let elsewhere = state.peers.gather(id, &HOLDERS).await?;
    Ok(Json(SpeakerExport {
        speaker: SpeakerResponse::from(record),
        held,
        elsewhere,
        exported_at: Utc::now(),
    }))
}

/// Erases a speaker's personal data (the speaker themself or organizers): names, address,
/// position and profile become neutral values, the other contexts are told to forget the
/// person, and dead letters and stored answers naming them go. Erasing again changes nothing.
#[utoipa::path(delete, path = "/api/v1/speakers/{id}", tag = "speakers", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Erased"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn erase_speaker(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Response, ApiError> {
    actor.require_self_or_organizer(Owner::Speaker(id))?;
    let mut tx = state.pool.begin().await?;
    let speaker = store::speakers::lock_speaker(&mut tx, id)
        .await?
        .ok_or(SpeakerError::NotFound(id))?;
    let now = Utc::now();
    service_kit::erasure::forget_person(&mut tx, id, &speaker.email).await?;
    if store::speakers::erase_speaker(&mut tx, id, now).await? {
        store::content_files::forget_names_of(&mut tx, id).await?;
        store::assignments::forget_reasons_of(&mut tx, id).await?;
        let erased = SpeakerErased {
            speaker_id: id,
            erased_at: now,
        };
        enqueue(&mut tx, &erased, &context).await?;
    }
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
