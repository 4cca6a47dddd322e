//! The agenda in the frab schedule JSON format, as pretalx exports it
//! (`schedule.conference.days[].rooms{room: [talks]}`), so conference apps can import it.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Zurich;
use serde_json::{json, Value};

use super::Agenda;

fn local(at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    at.with_timezone(&Zurich)
}

fn duration(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Renders `agenda` as frab schedule JSON.
pub fn render(agenda: &Agenda) -> Value {
    let event = &agenda.event;
    let default_room = event.venue_name.clone();
    let day = local(event.event_date).date_naive();
    let mut rooms = serde_json::Map::new();
    for (index, slot) in agenda.slots.iter().enumerate() {
        let room = slot
            .session
            .as_ref()
            .and_then(|s| s.room.clone())
            .unwrap_or_else(|| default_room.clone());
        let session = slot.session.as_ref();
        let talk = json!({
            "id": index + 1,
            "guid": session.map(|s| s.id.to_string()).unwrap_or_else(|| format!("{}-{}", event.id, slot.slot_number)),
            "date": local(slot.start_time).to_rfc3339(),
            "start": local(slot.start_time).format("%H:%M").to_string(),
            "duration": duration((slot.end_time - slot.start_time).num_minutes()),
            "room": room,
            "slug": format!("batbern{}-{}", event.event_number, slot.slot_number),
            "title": slot.title(),
            "subtitle": "",
            "track": Value::Null,
            "type": session.map(|s| crate::domain::enum_name(&s.session_type)).unwrap_or_else(|| crate::domain::enum_name(&slot.slot_type)),
            "language": session.map(|s| s.language.clone()).unwrap_or_else(|| "de".into()),
            "abstract": session.and_then(|s| s.description.clone()).unwrap_or_default(),
            "description": "",
            "persons": session.map(|s| s.speakers.iter().map(person).collect::<Vec<_>>()).unwrap_or_default(),
            "links": session.and_then(|s| s.materials.as_ref()).map(links).unwrap_or_default(),
            "attachments": session.and_then(|s| s.materials.as_ref()).map(attachments).unwrap_or_default(),
        });
        rooms
            .entry(room)
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("array")
            .push(talk);
    }
    let first = agenda
        .slots
        .first()
        .map(|s| s.start_time)
        .unwrap_or(event.event_date);
    let last = agenda
        .slots
        .last()
        .map(|s| s.end_time)
        .unwrap_or(event.event_date);
    json!({
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "batbern"},
        "schedule": {
            "version": format!("{}", event.event_number),
            "base_url": "https://batbern.ch/",
            "conference": {
                "acronym": format!("batbern{}", event.event_number),
                "title": event.title,
                "start": day.to_string(),
                "end": day.to_string(),
                "daysCount": 1,
                "timeslot_duration": "00:05",
                "time_zone_name": "Europe/Zurich",
                "rooms": rooms.keys().map(|name| json!({"name": name})).collect::<Vec<_>>(),
                "days": [{
                    "index": 1,
                    "date": day.to_string(),
                    "day_start": local(first).to_rfc3339(),
                    "day_end": local(last).to_rfc3339(),
                    "rooms": rooms,
                }],
            },
        },
    })
}

/// A session's published slides as frab attachments.
fn attachments(materials: &super::AgendaMaterials) -> Vec<Value> {
    materials
        .presentations
        .iter()
        .map(|p| json!({"url": p.url, "title": p.title}))
        .collect()
}

/// A session's further material and its recording as frab links.
fn links(materials: &super::AgendaMaterials) -> Vec<Value> {
    let recording = materials
        .recording_url
        .iter()
        .map(|url| json!({"url": url, "title": "Recording"}));
    materials
        .supplementary
        .iter()
        .map(|m| json!({"url": m.url, "title": m.title}))
        .chain(recording)
        .collect()
}

/// A speaker as a frab person: the name as `public_name`, the approved abstract as the
/// biography field's neighbour `abstract`.
fn person(speaker: &super::AgendaSpeaker) -> Value {
    json!({
        "guid": speaker.speaker_id,
        "public_name": speaker.name.clone().unwrap_or_else(|| "Speaker".into()),
        "company": speaker.company,
        "avatar": speaker.photo_url,
        "abstract": speaker.abstract_text,
    })
}
