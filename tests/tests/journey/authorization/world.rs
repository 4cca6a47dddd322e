//! The small world the authorization journey calls on: two companies that are partners, two
//! speakers, two attendees, an event still in planning (only organizers see its sessions)
//! and the published demo conference, and what each party owns there. Every path parameter of an
//! operation is filled from it; what it does not hold gets a fresh id.

use serde_json::{json, Value};
use uuid::Uuid;

use super::parties::{company_logo, speaker_cv, Audience, Files, Office, Partners, Program};
use super::Column;
use crate::gateway::Caller;
use crate::Journey;

/// The shared secret of the SES event webhook in a fleet started by `scripts/fleet`.
const SES_WEBHOOK_TOKEN: &str = notifications::settings::DEV_WEBHOOK_TOKEN;

/// What the world holds, and the callers of the table's columns.
pub struct World {
    public: Caller,
    organizer: Caller,
    partners: Partners,
    program: Program,
    audience: Audience,
    office: Office,
    files: Files,
}

impl World {
    pub async fn build(journey: &Journey) -> World {
        let partners = Partners::build(journey).await;
        let program = Program::build(journey, partners.company).await;
        let audience = Audience::build(journey, program.published_event).await;
        let office = Office::build(journey, &program).await;
        let files = Files::build(journey, &partners, &program).await;
        World {
            public: journey.public.clone(),
            organizer: journey.organizer.clone(),
            partners,
            program,
            audience,
            office,
            files,
        }
    }

    /// The caller of `column`.
    pub fn caller(&self, column: Column) -> &Caller {
        match column {
            Column::Anonymous => &self.public,
            Column::Organizer => &self.organizer,
            Column::SpeakerOwn => &self.program.own,
            Column::SpeakerOther => &self.program.other,
            Column::AttendeeOwn => &self.audience.own,
            Column::AttendeeOther => &self.audience.other,
            Column::PartnerOwn => &self.partners.own,
            Column::PartnerOther => &self.partners.other,
        }
    }

    /// The operation's path for `column`, and whether the world holds every resource it
    /// names. An event is the published one for the public reads (`published`), else the
    /// one in planning.
    pub fn path(&self, template: &str, column: Column, published: bool) -> (String, bool) {
        // The world opens no overflow voting: that needs more accepted speakers than slots.
        let mut built = !template.contains("/overflow");
        let mut resource = "";
        let mut segments = Vec::new();
        for segment in template.split('/') {
            let filled = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                None => segment.to_owned(),
                Some(name) => self
                    .parameter(name, resource, column, published)
                    .unwrap_or_else(|| {
                        built = false;
                        Uuid::now_v7().to_string()
                    }),
            };
            resource = segment;
            segments.push(filled);
        }
        let mut path = segments.join("/");
        if template == "/api/v1/invitations/{id}" {
            path.push_str(&format!("?token={}", self.program.invitation_token));
        }
        if template == "/api/v1/webhooks/ses" && column == Column::Anonymous {
            path.push_str(&format!("?token={SES_WEBHOOK_TOKEN}"));
        }
        (path, built)
    }

    /// The value of path parameter `name` following the segment `resource`.
    fn parameter(
        &self,
        name: &str,
        resource: &str,
        column: Column,
        published: bool,
    ) -> Option<String> {
        let (partners, program, office) = (&self.partners, &self.program, &self.office);
        let value = match (name, resource) {
            ("id", "attendees") => self.audience.attendee,
            ("id", "companies") => partners.company,
            ("id", "email-templates") => office.template?,
            ("id", "escalation-rules") => office.rule,
            ("id", "events") if published => program.published_event,
            ("id", "events") | ("event_id" | "eventId", _) => program.draft_event,
            // A file is the own party's: a partner's company logo, else the speaker's CV.
            ("id", "files") => match column {
                Column::PartnerOwn | Column::PartnerOther => self.files.company_logo,
                _ => self.files.speaker_cv,
            },
            ("id", "invitations" | "session-speakers") => program.assignment,
            ("id", "notifications") => office.notification?,
            ("id", "partner-meetings") => partners.meeting,
            ("id", "partners") | ("partnerId", _) => partners.partner,
            ("id", "registrations") => self.audience.registration,
            ("id", "role-change-requests") => office.role_change,
            ("id", "roles") => office.role_grant,
            ("id", "sessions") | ("session_id" | "sessionId" | "content_id", _) => program.session,
            ("id", "speakers") | ("speaker_id", _) => program.speaker,
            ("id", "topic-suggestions") => partners.suggestion,
            ("id", "topics") | ("topicId", _) => program.topic,
            ("slot_id", _) => program.slot,
            ("contactId", _) => partners.contact,
            ("subscriptionId", _) => partners.subscription,
            // Notification settings are the person's: a speaker's, an attendee's or a
            // partner integration's (by its token subject).
            ("userId", _) => match column {
                Column::AttendeeOwn | Column::AttendeeOther => self.audience.attendee,
                Column::PartnerOwn | Column::PartnerOther => partners.subject,
                _ => program.speaker,
            },
            ("content_type", _) => return Some("session".into()),
            ("channel", _) => return Some("email".into()),
            ("notificationType", _) => return Some("all".into()),
            _ => return None,
        };
        Some(value.to_string())
    }

    /// The body sent to a writing operation: where the body names whose resource the
    /// request is about, a valid one naming the own party's; elsewhere an empty object
    /// (callers are refused before their input is judged).
    pub fn body(&self, template: &str, column: Column) -> Value {
        let (attendee, event) = (self.audience.attendee, self.program.published_event);
        match template {
            "/api/v1/attendees" => {
                json!({"email": format!("{}@example.ch", Uuid::now_v7().simple()),
                "firstName": "Signing", "lastName": "Up", "gdprConsent": {"given": true, "policyVersion": "2026-01"}})
            }
            "/api/v1/files" => match column {
                Column::PartnerOwn | Column::PartnerOther => {
                    company_logo(self.partners.company, 1_200)
                }
                _ => speaker_cv(self.program.speaker),
            },
            "/api/v1/registrations" => json!({"eventId": event, "attendeeId": attendee}),
            "/api/v1/newsletter/subscriptions" => {
                json!({"source": "website", "attendeeId": attendee})
            }
            "/api/v1/topic-suggestions" => json!({"title": "Least privilege",
                "category": "technical", "partnerId": self.partners.partner}),
            _ => json!({}),
        }
    }
}
