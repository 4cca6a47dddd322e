//! The public agenda of a published event, without a token, as JSON, iCalendar or frab
//! schedule JSON. Renderings come from memory ([`crate::agenda::cache`]), precompressed,
//! with a strong `ETag` per encoding; `If-None-Match` answers 304. Only a rendering not in
//! memory reads the database.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use flate2::write::GzEncoder;
use flate2::Compression;
use service_kit::around::Around;
use service_kit::problem::Problem;
use service_kit::{ApiError, Path};
use sha2::{Digest, Sha256};
use shared_domain::contracts::{Identity, Sealed};
use uuid::Uuid;

use super::AppState;
use crate::agenda::cache::{AgendaCache, CachedAgenda, Rendering, Renderings};
use crate::agenda::{
    self, Agenda, AgendaEvent, AgendaMaterials, AgendaSession, AgendaSlot, AgendaSpeaker,
};
use crate::domain::EventError;
use crate::store;

#[derive(Clone, Copy)]
enum Format {
    Json,
    Ical,
    Frab,
}

/// Shared caches may keep an agenda for a few seconds and must then ask again; an
/// unchanged agenda costs them a 304.
const CACHE_CONTROL_VALUE: &str = "public, max-age=5, must-revalidate";

fn rendering(body: Vec<u8>) -> Result<Rendering, ApiError> {
    let digest = hex::encode(&Sha256::digest(&body)[..16]);
    let mut gzip = GzEncoder::new(Vec::with_capacity(body.len() / 3), Compression::best());
    gzip.write_all(&body).map_err(ApiError::internal)?;
    Ok(Rendering {
        identity: Bytes::from(body),
        gzip: Bytes::from(gzip.finish().map_err(ApiError::internal)?),
        etag: format!("\"{digest}\""),
        gzip_etag: format!("\"{digest}-gzip\""),
    })
}

/// The agenda of a public event; `None` while the event is not public.
async fn load(state: &AppState, event_id: Uuid) -> Result<Option<Agenda>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let event = store::events::fetch_event(&mut *conn, event_id)
        .await?
        .ok_or(EventError::NotFound(event_id))?;
    if !event.status().is_public() {
        return Ok(None);
    }
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
    Ok(Some(Agenda {
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
    }))
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
    let agenda = match state.agendas.get(event_id) {
        Some(agenda) => agenda,
        None => {
            let generation = state.agendas.generation();
            let agenda = Arc::new(render(&state, event_id).await?);
            state.agendas.keep(event_id, generation, agenda.clone());
            agenda
        }
    };
    let CachedAgenda::Published(renderings) = agenda.as_ref() else {
        return Err(ApiError::not_found(format!(
            "event {event_id} has no published agenda"
        )));
    };
    Ok(match format {
        Format::Json => conditional(&renderings.json, "application/json", &headers),
        Format::Ical => conditional(&renderings.ical, "text/calendar; charset=utf-8", &headers),
        Format::Frab => conditional(&renderings.frab, "application/json", &headers),
    })
}

/// The agenda of `event_id` read from the database and rendered.
async fn render(state: &AppState, event_id: Uuid) -> Result<CachedAgenda, ApiError> {
    let Some(agenda) = load(state, event_id).await? else {
        return Ok(CachedAgenda::NotPublic);
    };
    let frab = serde_json::to_vec(&agenda::frab::render(&agenda)).map_err(ApiError::internal)?;
    Ok(CachedAgenda::Published(Box::new(Renderings {
        json: rendering(serde_json::to_vec(&agenda).map_err(ApiError::internal)?)?,
        ical: rendering(agenda::ical::render(&agenda).into_bytes())?,
        frab: rendering(frab)?,
    })))
}

/// Whether `Accept-Encoding` takes gzip: named, and not with `q=0`.
fn takes_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let named = parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"));
            let refused = parts
                .filter_map(|p| p.strip_prefix("q="))
                .any(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0));
            named && !refused
        })
}

/// The rendering in the encoding the caller takes, or 304 when `If-None-Match` names
/// either encoding's `ETag` (or `*`).
fn conditional(rendering: &Rendering, content_type: &'static str, headers: &HeaderMap) -> Response {
    let gzip = takes_gzip(headers);
    let (body, etag) = if gzip {
        (&rendering.gzip, &rendering.gzip_etag)
    } else {
        (&rendering.identity, &rendering.etag)
    };
    let not_modified = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',').map(str::trim).any(|t| {
                let t = t.trim_start_matches("W/");
                t == "*" || t == rendering.etag || t == rendering.gzip_etag
            })
        });
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.clone().into_response()
    };
    let response_headers = response.headers_mut();
    response_headers.insert(
        ETAG,
        HeaderValue::from_str(etag).expect("hex is a valid header"),
    );
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE));
    response_headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if !not_modified {
        response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        if gzip {
            response_headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
    }
    response
}

/// A write this replica answered shows in its agendas at once; other replicas learn of it
/// from the change notification a moment later.
#[derive(Clone)]
pub struct ForgetAfterWrites(pub AgendaCache);

impl Around for ForgetAfterWrites {
    /// The agendas to forget once a write succeeded; none for a read.
    type Carry = Option<AgendaCache>;

    fn before<B>(&self, request: &mut axum::http::Request<B>) -> Self::Carry {
        let reads = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        );
        (!reads).then(|| self.0.clone())
    }

    fn after<B>(agendas: Self::Carry, response: &mut axum::http::Response<B>) {
        if let Some(agendas) = agendas {
            if response.status().is_success() {
                agendas.changed("*");
            }
        }
    }
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
