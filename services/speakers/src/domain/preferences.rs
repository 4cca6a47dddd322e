//! A speaker's ranked slot preferences for an event (the seed's `SpeakerSlotPreferences`):
//! windows of the event day with how much the speaker wants them, technical needs, and
//! free-text needs, each limit checked and reported on its own field. The events context's
//! slot assignment reads them from `SlotPreferencesSubmitted`.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use shared_domain::contracts::speakers::{
    PreferenceWindow, SlotPreferencesSubmitted, TechnicalNeed,
};
use shared_domain::contracts::Known;
use shared_domain::{FieldError, Parse, Validator};
use utoipa::ToSchema;
use uuid::Uuid;

/// Most windows and most technical requirements one submission holds.
pub const MAX_ENTRIES: usize = 24;
/// Longest free text (needs, requirement descriptions).
pub const MAX_TEXT: usize = 2000;
/// Longest requirement id or name.
pub const MAX_NAME: usize = 255;

/// How much a speaker wants a window.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceLevel {
    StronglyPreferred,
    Preferred,
    Acceptable,
    NotPreferred,
    Unavailable,
}

/// A ranked window of the event day (local times such as `09:00`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferredTimeSlot {
    #[schema(value_type = String, example = "17:00")]
    pub start_time: NaiveTime,
    #[schema(value_type = String, example = "18:30")]
    pub end_time: NaiveTime,
    pub preference: PreferenceLevel,
}

/// A technical requirement of the speaker.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TechnicalRequirement {
    pub id: String,
    pub requirement: String,
    pub is_required: bool,
    pub description: Option<String>,
}

/// Body of `PUT /api/v1/speakers/{id}/slot-preferences/{eventId}` (the seed's
/// `SpeakerSlotPreferences`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotPreferences {
    #[serde(default)]
    pub preferred_time_slots: Vec<PreferredTimeSlot>,
    #[serde(default)]
    pub technical_requirements: Vec<TechnicalRequirement>,
    #[schema(value_type = Option<String>, example = "16:00")]
    pub cannot_present_after: Option<NaiveTime>,
    #[serde(default)]
    pub own_laptop_required: bool,
    pub special_equipment_needs: Option<String>,
    pub accessibility_requirements: Option<String>,
}

impl Parse for SlotPreferences {
    fn check(mut self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        if self.preferred_time_slots.len() > MAX_ENTRIES {
            v.reject(
                "preferredTimeSlots",
                format!("at most {MAX_ENTRIES} windows"),
            );
        }
        for (index, window) in self.preferred_time_slots.iter().enumerate() {
            if window.start_time >= window.end_time {
                v.reject(
                    &format!("preferredTimeSlots[{index}].endTime"),
                    "must be after startTime",
                );
            }
        }
        if self.technical_requirements.len() > MAX_ENTRIES {
            v.reject(
                "technicalRequirements",
                format!("at most {MAX_ENTRIES} requirements"),
            );
        }
        for (index, r) in self.technical_requirements.iter_mut().enumerate() {
            let field = |name: &str| format!("technicalRequirements[{index}].{name}");
            r.id = v.text(&field("id"), &r.id, MAX_NAME).unwrap_or_default();
            r.requirement = v
                .text(&field("requirement"), &r.requirement, MAX_NAME)
                .unwrap_or_default();
            r.description =
                v.optional_text(&field("description"), r.description.as_deref(), MAX_TEXT);
        }
        self.special_equipment_needs = v.optional_text(
            "specialEquipmentNeeds",
            self.special_equipment_needs.as_deref(),
            MAX_TEXT,
        );
        self.accessibility_requirements = v.optional_text(
            "accessibilityRequirements",
            self.accessibility_requirements.as_deref(),
            MAX_TEXT,
        );
        v.finish()?;
        Ok(self)
    }
}

impl SlotPreferences {
    /// The event that carries these preferences to the events context.
    pub fn submitted(
        &self,
        speaker_id: Uuid,
        event_id: Uuid,
        at: DateTime<Utc>,
    ) -> SlotPreferencesSubmitted {
        SlotPreferencesSubmitted {
            speaker_id,
            event_id,
            preferred_time_slots: self
                .preferred_time_slots
                .iter()
                .map(|w| PreferenceWindow {
                    start_time: w.start_time,
                    end_time: w.end_time,
                    preference: Known::of(&w.preference),
                })
                .collect(),
            technical_requirements: self
                .technical_requirements
                .iter()
                .map(|r| TechnicalNeed {
                    id: r.id.clone(),
                    requirement: r.requirement.clone(),
                    is_required: r.is_required,
                    description: r.description.clone(),
                })
                .collect(),
            cannot_present_after: self.cannot_present_after,
            own_laptop_required: self.own_laptop_required,
            special_equipment_needs: self.special_equipment_needs.clone(),
            accessibility_requirements: self.accessibility_requirements.clone(),
            submitted_at: at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_domain::Valid;

    fn preferences() -> SlotPreferences {
        SlotPreferences {
            preferred_time_slots: vec![PreferredTimeSlot {
                start_time: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
                end_time: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                preference: PreferenceLevel::Preferred,
            }],
            technical_requirements: vec![],
            cannot_present_after: None,
            own_laptop_required: false,
            special_equipment_needs: Some("  ".into()),
            accessibility_requirements: None,
        }
    }

    #[test]
    fn blank_needs_are_none() {
        assert_eq!(
            Valid::parse(preferences()).unwrap().special_equipment_needs,
            None
        );
    }

    #[test]
    fn a_too_long_accessibility_text_is_reported_on_its_own_field() {
        let mut long = preferences();
        long.accessibility_requirements = Some("x".repeat(MAX_TEXT + 1));
        let errors = Valid::parse(long).unwrap_err();
        assert_eq!(errors[0].field, "accessibilityRequirements");
    }

    #[test]
    fn a_backwards_window_names_its_end() {
        let mut backwards = preferences();
        backwards.preferred_time_slots[0].end_time = NaiveTime::from_hms_opt(16, 0, 0).unwrap();
        assert_eq!(
            Valid::parse(backwards).unwrap_err()[0].field,
            "preferredTimeSlots[0].endTime"
        );
    }
}
