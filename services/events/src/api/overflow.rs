//! Handlers of `/api/v1/events/{id}/overflow` (organizers): open voting when accepted
//! sessions outnumber the talk slots, vote until the deadline, complete the selection.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::idempotency::{self, Attempt, IdempotencyKey, Idempotent};
use service_kit::problem::Problem;
use service_kit::Stored;
use service_kit::{Actor, ApiError, Json, Path, RequestContext};
use shared_domain::contracts::events::OverflowSpeakerDeclined;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::overflow;
use crate::domain::overflow::{select, OverflowCandidate, VoteType};
use crate::domain::session::lead_speaker;
use crate::domain::EventError;
use crate::store;
use crate::store::overflow::{OverflowSpeakerRecord, VoteRecord};
use crate::store::sessions::{SessionRecord, SessionSpeakerRecord};

/// Topic fit of one session (0–100).
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicFit {
    pub session_id: Uuid,
    pub score: f64,
}

/// Body of `POST /api/v1/events/{id}/overflow`.
#[derive(Debug, Deserialize, ToSchema, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenVotingRequest {
    pub voting_deadline: DateTime<Utc>,
    #[serde(default)]
    pub topic_fit_scores: Vec<TopicFit>,
}

/// Body of `PUT /api/v1/events/{id}/overflow/votes/{speakerId}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoteRequest {
    pub vote: VoteType,
    pub reason: Option<String>,
}

/// A competing speaker with the votes on them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverflowSpeakerResponse {
    pub speaker_id: Uuid,
    pub session_id: Uuid,
    /// Approvals minus rejections.
    pub votes: i64,
    pub topic_fit_score: f64,
    pub is_selected: bool,
    pub declined_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
}

/// A cast vote.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SelectionVoteResponse {
    pub organizer_id: String,
    pub speaker_id: Uuid,
    pub vote: VoteType,
    pub reason: Option<String>,
    pub voted_at: DateTime<Utc>,
}

/// The overflow management of an event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverflowResponse {
    pub event_id: Uuid,
    /// Talk slots to fill.
    pub seats: i32,
    pub overflow_speakers: Vec<OverflowSpeakerResponse>,
    pub selection_votes: Vec<SelectionVoteResponse>,
    pub is_voting_complete: bool,
    pub voting_deadline: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

fn candidates(speakers: &[OverflowSpeakerRecord], votes: &[VoteRecord]) -> Vec<OverflowCandidate> {
    speakers
        .iter()
        .map(|s| OverflowCandidate {
            speaker_id: s.speaker_id,
            session_id: s.session_id,
            votes: votes
                .iter()
                .filter(|v| v.speaker_id == s.speaker_id)
                .map(|v| *v.vote)
                .collect(),
            topic_fit_score: s.topic_fit_score,
        })
        .collect()
}

async fn respond(conn: &mut PgConnection, event_id: Uuid) -> Result<OverflowResponse, ApiError> {
    let overflow = store::overflow::fetch_overflow(&mut *conn, event_id, false)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("event {event_id} has no overflow voting")))?;
    let speakers = store::overflow::overflow_speakers(&mut *conn, event_id).await?;
    let votes = store::overflow::votes(&mut *conn, event_id).await?;
    let scored = candidates(&speakers, &votes);
    Ok(OverflowResponse {
        event_id,
        seats: overflow.seats,
        overflow_speakers: speakers
            .into_iter()
            .zip(scored)
            .map(|(s, c)| OverflowSpeakerResponse {
                speaker_id: s.speaker_id,
                session_id: s.session_id,
                votes: c.net_votes(),
                topic_fit_score: s.topic_fit_score,
                is_selected: s.is_selected,
                declined_at: s.declined_at,
                decline_reason: s.decline_reason,
            })
            .collect(),
        selection_votes: votes
            .into_iter()
            .map(|v| SelectionVoteResponse {
                vote: *v.vote,
                organizer_id: v.organizer_id,
                speaker_id: v.speaker_id,
                reason: v.reason,
                voted_at: v.voted_at,
            })
            .collect(),
        is_voting_complete: overflow.is_voting_complete,
        voting_deadline: overflow.voting_deadline,
        completed_at: overflow.completed_at,
    })
}

/// Opens overflow voting: every session whose speakers all accepted competes for the talk
/// slots; refused when they all fit.
#[utoipa::path(post, path = "/api/v1/events/{id}/overflow", tag = "overflow", request_body = OpenVotingRequest, params(("id" = Uuid, Path)),
    responses((status = 201, body = OverflowResponse), (status = 409, description = "No overflow, or voting already open", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn open_voting(
    State(state): State<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    Path(event_id): Path<Uuid>,
    body: Result<Json<OpenVotingRequest>, ApiError>,
) -> Result<Response, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let request_hash = idempotency::fingerprint(&request);
    let now = Utc::now();
    let scores = request.topic_fit_scores.iter().map(|t| t.score);
    overflow::check_opening(request.voting_deadline, scores, now).map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let once = match Idempotent::begin(&mut tx, &actor.subject, key, &request_hash).await? {
        Attempt::Proceed(once) => once,
        Attempt::Replay(answer) => return Ok(answer),
    };
    store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let seats = store::slots::list_slots(&mut *tx, event_id)
        .await?
        .iter()
        .filter(|s| s.slot_type().is_assignable())
        .count();
    let sessions = store::sessions::list_sessions(&mut *tx, event_id).await?;
    let speakers = store::sessions::speakers_of_event(&mut *tx, event_id).await?;
    let competing = competitors(&sessions, &speakers, &request.topic_fit_scores);
    let leads: Vec<Uuid> = competing.iter().map(|c| c.speaker_id).collect();
    overflow::ensure_overflow(seats, &leads)?;
    if !store::overflow::insert_overflow(
        &mut tx,
        event_id,
        request.voting_deadline,
        seats as i32,
        &competing,
        now,
    )
    .await?
    {
        return Err(ApiError::conflict(
            "overflow voting is already open for this event",
        ));
    }
    let body = respond(&mut tx, event_id).await?;
    let location = format!("/api/v1/events/{event_id}/overflow");
    let response = once
        .finish(&mut tx, idempotency::created(location, None, &body))
        .await?;
    tx.commit().await?;
    Ok(response)
}

/// The speakers competing for the slots: the lead speaker of every live session with
/// speakers whose speakers all accepted, with the session's topic fit (0 when not given).
fn competitors(
    sessions: &[SessionRecord],
    speakers: &[SessionSpeakerRecord],
    scores: &[TopicFit],
) -> Vec<OverflowSpeakerRecord> {
    sessions
        .iter()
        .filter(|s| s.cancelled_at.is_none() && s.session_type().has_speakers())
        .filter_map(|s| {
            let own: Vec<_> = speakers.iter().filter(|sp| sp.session_id == s.id).collect();
            let accepted = !own.is_empty() && own.iter().all(|sp| sp.is_confirmed);
            let lead = lead_speaker(&own, |sp| &sp.role)?;
            accepted.then(|| OverflowSpeakerRecord {
                speaker_id: lead.speaker_id,
                session_id: s.id,
                topic_fit_score: scores
                    .iter()
                    .find(|t| t.session_id == s.id)
                    .map_or(0.0, |t| t.score),
                is_selected: false,
                declined_at: None,
                decline_reason: None,
            })
        })
        .collect()
}

/// The overflow voting of an event.
#[utoipa::path(get, path = "/api/v1/events/{id}/overflow", tag = "overflow", params(("id" = Uuid, Path)),
    responses((status = 200, body = OverflowResponse), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_overflow(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
) -> Result<Json<OverflowResponse>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let mut conn = state.pool.acquire().await?;
    Ok(Json(respond(&mut conn, event_id).await?))
}

/// Casts (or replaces) the calling organizer's vote on a speaker, until the deadline.
#[utoipa::path(put, path = "/api/v1/events/{id}/overflow/votes/{speaker_id}", tag = "overflow", request_body = VoteRequest,
    params(("id" = Uuid, Path), ("speaker_id" = Uuid, Path)),
    responses((status = 200, body = OverflowResponse), (status = 404, body = Problem), (status = 409, description = "Voting closed", body = Problem)), security(("bearer" = [])))]
pub async fn cast_vote(
    State(state): State<AppState>,
    actor: Actor,
    Path((event_id, speaker_id)): Path<(Uuid, Uuid)>,
    body: Result<Json<VoteRequest>, ApiError>,
) -> Result<Json<OverflowResponse>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let Json(request) = body?;
    let mut tx = state.pool.begin().await?;
    let overflow = store::overflow::fetch_overflow(&mut tx, event_id, true)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("event {event_id} has no overflow voting")))?;
    let now = Utc::now();
    if overflow.is_voting_complete || now > overflow.voting_deadline {
        return Err(ApiError::conflict(format!(
            "voting closed at {}",
            overflow.completed_at.unwrap_or(overflow.voting_deadline)
        )));
    }
    if !store::overflow::overflow_speakers(&mut *tx, event_id)
        .await?
        .iter()
        .any(|s| s.speaker_id == speaker_id)
    {
        return Err(ApiError::not_found(format!(
            "speaker {speaker_id} is not competing in this event's overflow"
        )));
    }
    let vote = VoteRecord {
        organizer_id: actor.subject.clone(),
        speaker_id,
        vote: Stored(request.vote),
        reason: request.reason,
        voted_at: now,
    };
    store::overflow::upsert_vote(&mut tx, event_id, &vote).await?;
    let response = respond(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(Json(response))
}

/// Closes voting and selects: the best-voted speakers (then topic fit) keep their sessions;
/// the others are declined (`OverflowSpeakerDeclined`) and never placed in a slot.
#[utoipa::path(post, path = "/api/v1/events/{id}/overflow/complete", tag = "overflow", params(("id" = Uuid, Path)),
    responses((status = 200, body = OverflowResponse), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn complete_voting(
    State(state): State<AppState>,
    actor: Actor,
    Path(event_id): Path<Uuid>,
    RequestContext(context): RequestContext,
) -> Result<Json<OverflowResponse>, ApiError> {
    actor.require_organizer_of(event_id)?;
    let mut tx = state.pool.begin().await?;
    // The event's lock orders completion with automatic assignment and publication.
    let event = store::events::lock_event(&mut tx, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    event.status().ensure_planning_open()?;
    let overflow = store::overflow::fetch_overflow(&mut tx, event_id, true)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("event {event_id} has no overflow voting")))?;
    if overflow.is_voting_complete {
        return Err(ApiError::conflict("overflow voting is already complete"));
    }
    let speakers = store::overflow::overflow_speakers(&mut *tx, event_id).await?;
    let votes = store::overflow::votes(&mut *tx, event_id).await?;
    let (selected, declined) = select(candidates(&speakers, &votes), overflow.seats as usize);
    let now = Utc::now();
    let reason = "not selected in overflow voting";
    let ids = |list: &[OverflowCandidate]| list.iter().map(|c| c.speaker_id).collect::<Vec<_>>();
    store::overflow::complete(
        &mut tx,
        event_id,
        &ids(&selected),
        &ids(&declined),
        reason,
        now,
    )
    .await?;
    store::slots::clear_automatic(&mut tx, event_id).await?;
    for candidate in &declined {
        store::sessions::remove_speaker(&mut tx, candidate.session_id, candidate.speaker_id)
            .await?;
        let event = OverflowSpeakerDeclined {
            event_id,
            session_id: candidate.session_id,
            speaker_id: candidate.speaker_id,
            reason: reason.into(),
            declined_at: now,
        };
        enqueue(&mut tx, &event, &context).await?;
    }
    let response = respond(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(Json(response))
}
