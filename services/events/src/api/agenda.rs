//! The public agenda of a published event, without a token, as JSON, iCalendar or frab
//! schedule JSON. Renderings are cached per event and keyed by a stamp of everything they
//! show (one cheap query per request), with a strong `ETag`; `If-None-Match` answers 304.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use service_kit::problem::Problem;
use service_kit::{ApiError, Path};
use sha2::{Digest, Sha256};
use shared_domain::contracts::{Identity, Sealed};
use uuid::Uuid;

use super::AppState;
use crate::agenda::{
    self, Agenda, AgendaEvent, AgendaMaterials, AgendaSession, AgendaSlot, AgendaSpeaker,
};
use crate::domain::EventError;
use crate::store;

/// One rendering with its ETag.
#[derive(Clone)]
struct Rendering {
    body: Bytes,
    etag: HeaderValue,
}

/// The three renderings of one agenda state.
#[derive(Clone)]
struct CachedAgenda {
    stamp: String,
    json: Rendering,
    ical: Rendering,
    frab: Rendering,
}

/// Rendered agendas by event id.
#[derive(Clone, Default)]
pub struct AgendaCache(Arc<Mutex<HashMap<Uuid, CachedAgenda>>>);

#[derive(Clone, Copy)]
enum Format {
    Json,
    Ical,
    Frab,
}

fn rendering(body: Vec<u8>) -> Rendering {
    let digest = hex::encode(&Sha256::digest(&body)[..16]);
    Rendering {
        body: Bytes::from(body),
        etag: HeaderValue::from_str(&format!("\"{digest}\"")).expect("hex is a valid header"),
    }
}

/// What the renderings depend on: the event row, its sessions, their speakers and their
/// materials.
async fn stamp(state: &AppState, event_id: Uuid) -> Result<Option<(String, bool)>, sqlx::Error> {
    let stamp = store::events::agenda_stamp(&state.pool, event_id).await?;
    Ok(stamp.map(|s| {
        let key = format!(
            "{}/{:?}/{:?}/{}/{}",
            s.version, s.sessions_changed, s.speakers_changed, s.materials_changed, s.seats_taken
        );
        (key, s.status.is_public())
    }))
}

async fn load(state: &AppState, event_id: Uuid) -> Result<Agenda, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let event = store::events::fetch_event(&mut *conn, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    let slots = store::slots::list_slots(&mut *conn, event_id).await?;
    let sessions = store::sessions::list_sessions(&mut *conn, event_id).await?;
    let speakers = store::sessions::speakers_of_event(&mut *conn, event_id).await?;
    let people = store::people::of_event(&mut *conn, event_id).await?;
    let materials = store::materials::of_event(&mut *conn, event_id).await?;
    drop(conn);
    let names = names(state, &people).await?;
    let slots = slots
        .iter()
        .map(|slot| AgendaSlot {
            slot_number: slot.slot_number,
            start_time: slot.start_time,
            end_time: slot.end_time,
            slot_type: slot.slot_type(),
            session: slot
                .assigned_session_id
                .and_then(|id| {
                    sessions
                        .iter()
                        .find(|s| s.id == id && s.cancelled_at.is_none())
                })
                .map(|s| AgendaSession {
                    id: s.id,
                    title: s.title.clone(),
                    description: s.description.clone(),
                    session_type: s.session_type(),
                    room: s.room.clone(),
                    language: s.language.clone(),
                    tags: s.tags.0.clone(),
                    target_audience: s.target_audience.0.clone(),
                    speakers: speakers
                        .iter()
                        .filter(|sp| sp.session_id == s.id && sp.is_confirmed)
                        .map(|sp| {
                            let person = people
                                .iter()
                                .find(|p| p.session_id == s.id && p.speaker_id == sp.speaker_id);
                            AgendaSpeaker {
                                speaker_id: sp.speaker_id,
                                name: names.get(&sp.speaker_id).cloned(),
                                company: person.and_then(|p| p.company.clone()),
                                company_logo_url: person.and_then(|p| p.company_logo_url.clone()),
                                photo_url: person.and_then(|p| p.photo_url.clone()),
                                role: sp.role.clone(),
                                presentation_title: sp.presentation_title.clone(),
                                abstract_text: person.and_then(|p| p.abstract_text.clone()),
                            }
                        })
                        .collect(),
                    materials: materials
                        .iter()
                        .find(|m| m.session_id == s.id)
                        .and_then(published),
                }),
        })
        .collect();
    Ok(Agenda {
        event: AgendaEvent {
            id: event.id,
            event_number: event.event_number,
            title: event.title.clone(),
            description: event.description.clone(),
            event_date: event.event_date,
            registration_deadline: event.registration_deadline,
            status: event.status(),
            venue_name: event.venue_name.clone(),
            venue_address: event.venue_address.clone(),
            capacity: event.capacity,
            seats_taken: event.current_attendee_count,
        },
        slots,
    })
}

/// A session's materials as the agenda shows them: none until organizers published them.
fn published(m: &store::materials::SessionMaterialsRecord) -> Option<AgendaMaterials> {
    m.published_at?;
    Some(AgendaMaterials {
        presentations: m.presentations.0.clone(),
        supplementary: m.supplementary.0.clone(),
        recording_url: m.recording_url.clone(),
        photo_urls: m.photo_urls.0.clone(),
    })
}

/// The names of the agenda's speakers, opened with each speaker's key from the speakers
/// service; an erased speaker (whose key is gone) has none.
pub(super) async fn names(
    state: &AppState,
    people: &[store::people::AgendaPerson],
) -> Result<HashMap<Uuid, String>, ApiError> {
    let mut names = HashMap::new();
    for person in people {
        let Some(sealed) = &person.identity else {
            continue;
        };
        if names.contains_key(&person.speaker_id) {
            continue;
        }
        let sealed: Sealed<Identity> = serde_json::from_value(sealed.0.clone())
            .map_err(|_| ApiError::internal("a stored sealed identity is unreadable"))?;
        if let Some(who) = state.peers.open("speakers", &sealed).await? {
            names.insert(
                person.speaker_id,
                format!("{} {}", who.first_name, who.last_name),
            );
        }
    }
    Ok(names)
}

async fn serve(
    state: AppState,
    event_id: Uuid,
    format: Format,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (current, public) = stamp(&state, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    if !public {
        return Err(ApiError::not_found(format!(
            "event {event_id} has no published agenda"
        )));
    }
    let cached = cached_agenda(&state, event_id, current).await?;
    let (rendering, content_type) = match format {
        Format::Json => (cached.json, "application/json"),
        Format::Ical => (cached.ical, "text/calendar; charset=utf-8"),
        Format::Frab => (cached.frab, "application/json"),
    };
    Ok(conditional(rendering, content_type, &headers))
}

/// The renderings of the event's agenda for `stamp`: from the cache while the stamp is
/// current, else rendered anew and cached.
async fn cached_agenda(
    state: &AppState,
    event_id: Uuid,
    stamp: String,
) -> Result<CachedAgenda, ApiError> {
    let cache = || state.agendas.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(cached) = cache().get(&event_id).filter(|c| c.stamp == stamp).cloned() {
        return Ok(cached);
    }
    let agenda = load(state, event_id).await?;
    let frab = serde_json::to_vec(&agenda::frab::render(&agenda)).map_err(ApiError::internal)?;
    let fresh = CachedAgenda {
        stamp,
        json: rendering(serde_json::to_vec(&agenda).map_err(ApiError::internal)?),
        ical: rendering(agenda::ical::render(&agenda).into_bytes()),
        frab: rendering(frab),
    };
    cache().insert(event_id, fresh.clone());
    Ok(fresh)
}

/// The rendering, or 304 when `If-None-Match` names its `ETag` (or `*`); cacheable for a
/// minute either way.
fn conditional(rendering: Rendering, content_type: &'static str, headers: &HeaderMap) -> Response {
    let etag = rendering.etag.to_str().unwrap_or_default().to_owned();
    let not_modified = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
        });
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        rendering.body.into_response()
    };
    let response_headers = response.headers_mut();
    response_headers.insert(ETAG, rendering.etag);
    response_headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    if !not_modified {
        response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

/// The published agenda as JSON (no token needed).
#[utoipa::path(get, path = "/api/v1/events/{id}/agenda", tag = "agenda", params(("id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = Agenda), (status = 304, description = "Unchanged since the ETag sent"), (status = 404, body = Problem)))]
pub async fn agenda_json(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(state, id, Format::Json, headers).await
}

/// The published agenda as iCalendar (`text/calendar`, no token needed).
#[utoipa::path(get, path = "/api/v1/events/{id}/agenda/ical", tag = "agenda", params(("id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 304, description = "Unchanged"), (status = 404, body = Problem)))]
pub async fn agenda_ical(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(state, id, Format::Ical, headers).await
}

/// The published agenda as frab schedule JSON (as pretalx exports; no token needed).
#[utoipa::path(get, path = "/api/v1/events/{id}/agenda/frab", tag = "agenda", params(("id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = Object), (status = 304, description = "Unchanged"), (status = 404, body = Problem)))]
pub async fn agenda_frab(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(state, id, Format::Frab, headers).await
}
