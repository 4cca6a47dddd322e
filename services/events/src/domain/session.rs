//! A session's fields and the rules that place it: inside the event's day, inside its slot
//! when it has one, and never overlapping another session in the same room.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Validator};
use utoipa::ToSchema;
use uuid::Uuid;

use super::event::MAX_SEATS;

/// The kind of agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionType {
    Keynote,
    Presentation,
    Workshop,
    PanelDiscussion,
    Networking,
    Break,
    Lunch,
}

impl SessionType {
    /// Whether speakers present in it (it needs a talk slot and accepted speakers).
    pub fn has_speakers(self) -> bool {
        matches!(
            self,
            SessionType::Keynote
                | SessionType::Presentation
                | SessionType::Workshop
                | SessionType::PanelDiscussion
        )
    }
}

/// The role of a speaker in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    PrimarySpeaker,
    CoSpeaker,
    Moderator,
    Panelist,
}

/// The speaker who leads a session (whose preferences place it, who competes for it in
/// overflow voting): its primary speaker, else the first one listed.
pub fn lead_speaker<'a, S>(speakers: &[&'a S], role_of: impl Fn(&S) -> &str) -> Option<&'a S> {
    let primary = super::enum_name(&SpeakerRole::PrimarySpeaker);
    speakers
        .iter()
        .find(|s| role_of(s) == primary)
        .or(speakers.first())
        .copied()
}

/// A session placed in a slot stays inside it: `Err` names the slot when `start..end`
/// leaves `slot_start..slot_end`.
pub fn ensure_inside_slot(
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    slot_number: i32,
    (slot_start, slot_end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(), FieldError> {
    if start < slot_start || end > slot_end {
        return Err(FieldError::new(
            "startTime",
            format!("the session is in slot {slot_number} ({slot_start} to {slot_end}) and must stay inside it"),
        ));
    }
    Ok(())
}

/// Who a session is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExperienceLevel {
    Beginner,
    Intermediate,
    Advanced,
    Expert,
}

/// Everything organizers set on a session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFields {
    pub title: String,
    pub description: Option<String>,
    pub session_type: SessionType,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub room: Option<String>,
    pub capacity: Option<i32>,
    pub language: String,
    pub tags: Vec<String>,
    pub prerequisites: Vec<String>,
    pub target_audience: Vec<ExperienceLevel>,
}

/// The hours after the event's start during which its sessions take place.
pub const EVENT_DAY_HOURS: i64 = 16;

/// Another session of the event, as the overlap rule sees it.
#[derive(Debug, Clone)]
pub struct PlacedSession {
    pub id: Uuid,
    pub room: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
}

impl SessionFields {
    /// Validates the fields against the event starting at `event_start` and the other
    /// sessions of the event (`others`, cancelled ones excluded).
    pub fn validate(
        self,
        event_start: DateTime<Utc>,
        others: &[PlacedSession],
        own_id: Option<Uuid>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let title = v.text("title", &self.title, 255);
        let description = v.optional_paragraphs("description", self.description.as_deref(), 10_000);
        let room = v.optional_text("room", self.room.as_deref(), 100);
        let language = self.language.trim().to_ascii_lowercase();
        if !(2..=10).contains(&language.len())
            || !language
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-')
        {
            v.reject("language", "must be a language tag such as de or en");
        }
        if self.capacity.is_some_and(|c| !(1..=MAX_SEATS).contains(&c)) {
            v.reject("capacity", format!("must be between 1 and {MAX_SEATS}"));
        }
        if self.start_time >= self.end_time {
            v.reject("endTime", "must be after startTime");
        }
        let day_end = event_start + Duration::hours(EVENT_DAY_HOURS);
        if self.start_time < event_start || self.end_time > day_end {
            v.reject(
                "startTime",
                format!("must lie within the event day ({event_start} to {day_end})"),
            );
        }
        if self
            .tags
            .iter()
            .any(|t| t.trim().is_empty() || t.len() > 50)
        {
            v.reject("tags", "each tag must have 1 to 50 characters");
        }
        if let Some(room) = &room {
            let clash = others.iter().find(|o| {
                Some(o.id) != own_id
                    && o.room
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(room))
                    && o.start_time < self.end_time
                    && self.start_time < o.end_time
            });
            if let Some(clash) = clash {
                v.reject(
                    "startTime",
                    format!("overlaps session {} in room {room}", clash.id),
                );
            }
        }
        let title = v.finish_with(title)?;
        Ok(Self {
            title,
            description,
            room,
            language,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(start: &str, end: &str, room: &str) -> SessionFields {
        SessionFields {
            title: "Event Sourcing in Practice".into(),
            description: None,
            session_type: SessionType::Presentation,
            start_time: start.parse().unwrap(),
            end_time: end.parse().unwrap(),
            room: Some(room.into()),
            capacity: None,
            language: "DE".into(),
            tags: vec!["architecture".into()],
            prerequisites: vec![],
            target_audience: vec![ExperienceLevel::Intermediate],
        }
    }

    fn event_start() -> DateTime<Utc> {
        "2027-03-12T16:00:00Z".parse().unwrap()
    }

    #[test]
    fn sessions_in_one_room_may_not_overlap() {
        let other = PlacedSession {
            id: Uuid::now_v7(),
            room: Some("Hall A".into()),
            start_time: "2027-03-12T16:00:00Z".parse().unwrap(),
            end_time: "2027-03-12T16:45:00Z".parse().unwrap(),
        };
        let clash = talk("2027-03-12T16:30:00Z", "2027-03-12T17:00:00Z", "hall a").validate(
            event_start(),
            std::slice::from_ref(&other),
            None,
        );
        assert_eq!(clash.unwrap_err()[0].field, "startTime");
        let next = talk("2027-03-12T16:45:00Z", "2027-03-12T17:30:00Z", "Hall A").validate(
            event_start(),
            std::slice::from_ref(&other),
            None,
        );
        assert_eq!(next.unwrap().language, "de");
        let elsewhere = talk("2027-03-12T16:30:00Z", "2027-03-12T17:00:00Z", "Hall B").validate(
            event_start(),
            std::slice::from_ref(&other),
            None,
        );
        assert!(elsewhere.is_ok());
        let itself = talk("2027-03-12T16:10:00Z", "2027-03-12T16:40:00Z", "Hall A").validate(
            event_start(),
            std::slice::from_ref(&other),
            Some(other.id),
        );
        assert!(itself.is_ok());
    }

    #[test]
    fn sessions_stay_inside_the_event_day() {
        let early = talk("2027-03-12T15:00:00Z", "2027-03-12T16:30:00Z", "A").validate(
            event_start(),
            &[],
            None,
        );
        assert_eq!(early.unwrap_err()[0].field, "startTime");
        let backwards = talk("2027-03-12T17:00:00Z", "2027-03-12T16:30:00Z", "A").validate(
            event_start(),
            &[],
            None,
        );
        assert_eq!(backwards.unwrap_err()[0].field, "endTime");
    }
}
