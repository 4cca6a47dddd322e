//! The public agenda of a published event and its three renderings: JSON, iCalendar and
//! the frab-compatible schedule JSON that pretalx and conference apps read.

pub mod cache;
pub mod frab;
pub mod ical;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_domain::contracts::content::{PublishedMaterial, PublishedPresentation};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::session::{ExperienceLevel, SessionType};
use crate::domain::slots::SlotType;
use crate::domain::status::EventStatus;

/// The agenda as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Agenda {
    pub event: AgendaEvent,
    pub slots: Vec<AgendaSlot>,
}

/// The event part of the agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaEvent {
    pub id: Uuid,
    pub event_number: i32,
    pub title: String,
    pub description: Option<String>,
    pub event_date: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub status: EventStatus,
    pub venue_name: String,
    pub venue_address: String,
    pub capacity: i32,
    pub seats_taken: i32,
}

/// A slot of the agenda and what happens in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaSlot {
    pub slot_number: i32,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub slot_type: SlotType,
    pub session: Option<AgendaSession>,
}

/// A session as published.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaSession {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub session_type: SessionType,
    pub room: Option<String>,
    pub language: String,
    pub tags: Vec<String>,
    pub target_audience: Vec<ExperienceLevel>,
    pub speakers: Vec<AgendaSpeaker>,
    /// The session's materials, once organizers published them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub materials: Option<AgendaMaterials>,
}

/// A session's published materials: slides, further material, the recording and photos.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaMaterials {
    pub presentations: Vec<PublishedPresentation>,
    pub supplementary: Vec<PublishedMaterial>,
    pub recording_url: Option<String>,
    pub photo_urls: Vec<String>,
}

/// A speaker of a published session.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaSpeaker {
    pub speaker_id: Uuid,
    /// First and last name; none once the speaker is erased (or not yet known).
    pub name: Option<String>,
    /// The company the speaker speaks for.
    pub company: Option<String>,
    /// The public address of that company's logo.
    pub company_logo_url: Option<String>,
    pub photo_url: Option<String>,
    pub role: String,
    pub presentation_title: Option<String>,
    /// The abstract a moderator approved.
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
}

impl AgendaSpeaker {
    /// How the speaker is shown where one line is all there is.
    pub fn public_name(&self) -> String {
        match (&self.name, &self.company) {
            (Some(name), Some(company)) => format!("{name} ({company})"),
            (Some(name), None) => name.clone(),
            (None, _) => "Speaker".into(),
        }
    }
}

impl AgendaSlot {
    /// A display title: the session's, or the slot type's for breaks and networking.
    pub fn title(&self) -> String {
        match &self.session {
            Some(session) => session.title.clone(),
            None => match self.slot_type {
                SlotType::Break => "Break".into(),
                SlotType::Lunch => "Lunch".into(),
                SlotType::Networking => "Networking & Apéro".into(),
                other => crate::domain::enum_name(&other),
            },
        }
    }
}
