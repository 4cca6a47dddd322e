//! An event's editable fields, its type and slot configuration, and their validation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;

/// The format of an event, which bounds its number of talk slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// 6–8 slots.
    FullDay,
    /// 6–8 slots.
    Afternoon,
    /// 3–4 slots.
    Evening,
}

impl EventType {
    /// The allowed number of talk slots.
    pub fn slot_bounds(self) -> (i32, i32) {
        match self {
            EventType::FullDay | EventType::Afternoon => (6, 8),
            EventType::Evening => (3, 4),
        }
    }
}

/// The most seats a venue, an event or a session can have (and the highest event number):
/// far above any hall in Bern, far below what could overflow a count.
pub const MAX_SEATS: i32 = 100_000;

/// Where the event takes place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Venue {
    pub name: String,
    pub address: String,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: i32,
}

/// How the slot grid of an event is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventSlotConfiguration {
    pub event_type: EventType,
    pub min_slots: i32,
    pub max_slots: i32,
    /// Minutes per talk slot.
    pub slot_duration: i32,
    /// Theoretical presentations go to the morning slots.
    #[serde(rename = "theoreticalSlotsAM")]
    pub theoretical_slots_am: bool,
    pub break_slots: i32,
    pub lunch_slots: i32,
}

impl EventSlotConfiguration {
    /// The configuration an event of `event_type` starts with.
    pub fn default_for(event_type: EventType) -> Self {
        let (min_slots, max_slots) = event_type.slot_bounds();
        let (slot_duration, break_slots, lunch_slots) = match event_type {
            EventType::FullDay => (45, 2, 1),
            EventType::Afternoon => (30, 2, 0),
            EventType::Evening => (40, 1, 0),
        };
        Self {
            event_type,
            min_slots,
            max_slots,
            slot_duration,
            theoretical_slots_am: event_type == EventType::FullDay,
            break_slots,
            lunch_slots,
        }
    }

    fn validate(&self, v: &mut Validator, event_type: EventType) {
        let (low, high) = event_type.slot_bounds();
        if self.event_type != event_type {
            v.reject(
                "slotConfiguration.eventType",
                "must equal the event's eventType",
            );
        }
        if self.min_slots < low || self.max_slots > high || self.min_slots > self.max_slots {
            v.reject("slotConfiguration.minSlots", format!("slots must satisfy {low} <= minSlots <= maxSlots <= {high} for this event type"));
        }
        if !(15..=120).contains(&self.slot_duration) {
            v.reject(
                "slotConfiguration.slotDuration",
                "must be between 15 and 120 minutes",
            );
        }
        if !(0..=3).contains(&self.break_slots) {
            v.reject("slotConfiguration.breakSlots", "must be between 0 and 3");
        }
        let max_lunch = if event_type == EventType::FullDay {
            1
        } else {
            0
        };
        if !(0..=max_lunch).contains(&self.lunch_slots) {
            v.reject(
                "slotConfiguration.lunchSlots",
                format!("must be between 0 and {max_lunch} for this event type"),
            );
        }
    }
}

/// Everything organizers set on an event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFields {
    pub event_number: i32,
    pub title: String,
    pub description: Option<String>,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub event_type: EventType,
    pub venue: Venue,
    pub capacity: i32,
    pub slot_configuration: EventSlotConfiguration,
    pub metadata: serde_json::Value,
}

impl EventFields {
    /// A new event lies ahead: nobody plans an evening that is over.
    pub fn check_ahead(&self, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        if self.event_date <= now {
            return Err(vec![FieldError::new(
                "eventDate",
                "must lie in the future for a new event",
            )]);
        }
        Ok(())
    }
}

impl Parse for EventFields {
    /// Validates and normalises; `Err` lists every invalid field.
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        if !(1..=MAX_SEATS).contains(&self.event_number) {
            v.reject("eventNumber", format!("must be between 1 and {MAX_SEATS}"));
        }
        let title = v.text("title", &self.title, 255);
        let description = v.optional_paragraphs("description", self.description.as_deref(), 10_000);
        let dated = v.plausible_time("eventDate", self.event_date)
            & v.plausible_time("registrationDeadline", self.registration_deadline);
        if dated && self.registration_deadline > self.event_date {
            v.reject("registrationDeadline", "must not be after eventDate");
        }
        let venue_name = v.text("venue.name", &self.venue.name, 255);
        let venue_address = v.text("venue.address", &self.venue.address, 1000);
        if !(1..=MAX_SEATS).contains(&self.venue.capacity) {
            v.reject(
                "venue.capacity",
                format!("must be between 1 and {MAX_SEATS}"),
            );
        }
        if self.capacity < 1 {
            v.reject("capacity", "must be positive");
        } else if self.capacity > self.venue.capacity {
            v.reject("capacity", "must not exceed venue.capacity");
        }
        self.slot_configuration.validate(&mut v, self.event_type);
        if !self.metadata.is_object() {
            v.reject("metadata", "must be a JSON object");
        }
        let (title, venue_name, venue_address) =
            v.finish_with((title, venue_name, venue_address))?;
        Ok(Self {
            title,
            description,
            venue: Venue {
                name: venue_name,
                address: venue_address,
                capacity: self.venue.capacity,
            },
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_domain::Valid;

    fn evening() -> EventFields {
        let date = "2027-03-12T17:00:00Z".parse().unwrap();
        EventFields {
            event_number: 58,
            title: " Cloud Native Architecture ".into(),
            description: None,
            event_date: date,
            registration_deadline: "2027-03-05T23:59:00Z".parse().unwrap(),
            event_type: EventType::Evening,
            venue: Venue {
                name: "Kursaal".into(),
                address: "Kornhausstrasse 3, Bern".into(),
                capacity: 400,
            },
            capacity: 300,
            slot_configuration: EventSlotConfiguration::default_for(EventType::Evening),
            metadata: serde_json::json!({}),
        }
    }

    #[test]
    fn a_valid_event_is_trimmed() {
        assert_eq!(
            Valid::parse(evening()).unwrap().title,
            "Cloud Native Architecture"
        );
    }

    #[test]
    fn capacity_deadline_and_slot_bounds_are_checked() {
        let mut fields = evening();
        fields.capacity = 500;
        fields.registration_deadline = "2027-04-01T00:00:00Z".parse().unwrap();
        fields.slot_configuration.max_slots = 8;
        let errors: Vec<String> = fields
            .into_valid()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            errors,
            [
                "registrationDeadline",
                "capacity",
                "slotConfiguration.minSlots"
            ]
        );
    }

    #[test]
    fn a_new_event_must_lie_ahead() {
        let event = evening();
        let before: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
        assert!(event.check_ahead(before).is_ok());
        let after: DateTime<Utc> = "2027-04-01T00:00:00Z".parse().unwrap();
        assert_eq!(event.check_ahead(after).unwrap_err()[0].field, "eventDate");
    }
}
