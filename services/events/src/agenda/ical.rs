//! The agenda as an iCalendar document (`text/calendar`): one VEVENT per slot.

use icalendar::{Calendar, Component, EventLike};

use super::Agenda;

/// Renders `agenda` as iCalendar text.
pub fn render(agenda: &Agenda) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!(
        "BATbern {} – {}",
        agenda.event.event_number, agenda.event.title
    ));
    let location = format!(
        "{}, {}",
        agenda.event.venue_name, agenda.event.venue_address
    );
    for slot in &agenda.slots {
        let mut event = icalendar::Event::new();
        event
            .uid(&format!(
                "batbern-{}-slot-{}@batbern.ch",
                agenda.event.id, slot.slot_number
            ))
            .summary(&slot.title())
            .starts(slot.start_time)
            .ends(slot.end_time)
            .location(
                &match slot.session.as_ref().and_then(|s| s.room.as_deref()) {
                    Some(room) => format!("{room}, {location}"),
                    None => location.clone(),
                },
            );
        if let Some(session) = &slot.session {
            let mut text: Vec<String> = session.speakers.iter().map(|s| s.public_name()).collect();
            text.extend(session.description.clone());
            text.extend(
                session
                    .speakers
                    .iter()
                    .filter_map(|s| s.abstract_text.clone()),
            );
            if !text.is_empty() {
                event.description(&text.join("\n\n"));
            }
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}
