//! The notifications service's saga steps: every reaction keeps a read model or logs the
//! mails an event calls for (delivery happens later, in the scheduler). Each runs in the
//! inbox transaction, so an event delivered twice mails once.
//!
//! A step that needs a read model which has not caught up yet (a speaker's profile, a
//! session or an event announced on another partition or topic) is rolled back and the
//! event parked; the scheduler applies it again once that has arrived, and the consumer
//! goes on meanwhile. Later events of the same aggregate are parked behind it, so each
//! aggregate's events still apply in order.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use event_bus::{Envelope, Reaction, ReactionError};
use serde_json::{json, Map, Value};
use service_kit::peers::Peers;
use shared_domain::contracts;
use shared_domain::contracts::attendees::{
    AttendeeEmailChangeRequested, AttendeeErased, AttendeeProfileChanged, AttendeeProfileChangedV1,
    NewsletterConfirmationRequested, NewsletterSubscriptionChanged, RegistrationState,
    RegistrationStatusChanged, ERASED,
};
use shared_domain::contracts::content::StorageQuotaWarning;
use shared_domain::contracts::events::{
    AgendaChanged, EventDetailsChanged, EventPublished, OverflowSpeakerDeclined,
    RegistrationClosed, RoleGranted, RoleName, RoleRevoked, SessionCreated, SessionUpdated,
};
use shared_domain::contracts::partners::{
    PartnerChanged, PartnerContactChanged, PartnerContactEmailChangeRequested,
    PartnerContactErased, PartnerMeetingInvited, PartnerWebhookDisabled,
};
use shared_domain::contracts::speakers::{
    ChangesRequested, InvitationWithdrawn, MaterialSubmitted, SpeakerAccepted, SpeakerDeclined,
    SpeakerEmailChangeRequested, SpeakerErased, SpeakerInvited, SpeakerProfileChanged,
    SpeakerProfileChangedV1,
};
use shared_domain::IntegrationEvent;
use sqlx::Connection;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::clock::Clock;
use crate::compose::{notify, ComposeError, Notice};
use crate::domain::escalation::RuleType;
use crate::domain::template::local_time;
use crate::domain::TemplateType;
use crate::store::deferred;
use crate::store::directory::{self, EventRow, RecipientRow};
use crate::store::obligations::{self, Obligation};
use crate::store::registrations;

mod audience;
mod content;
mod partners;
mod people;

/// Why a step was not applied.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Failed(#[from] ReactionError),
    /// A read model lacks what the step needs; apply it again later.
    #[error("waiting for {0}")]
    Waiting(String),
}

impl From<sqlx::Error> for StepError {
    fn from(error: sqlx::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl From<ComposeError> for StepError {
    fn from(error: ComposeError) -> Self {
        Self::Failed(error.into())
    }
}

/// The consumer of the notifications service.
pub struct NotificationsReactions {
    pub clock: Arc<dyn Clock>,
    /// Where links in mails point (the gateway / front end).
    pub public_base_url: String,
    /// The services that keep people's keys (personal data arrives sealed).
    pub peers: Peers,
}

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::speakers::SpeakerProfileChanged::EVENT_TYPE,
    contracts::speakers::SpeakerProfileChangedV1::EVENT_TYPE,
    contracts::speakers::SpeakerErased::EVENT_TYPE,
    contracts::speakers::SpeakerInvited::EVENT_TYPE,
    contracts::speakers::SpeakerAccepted::EVENT_TYPE,
    contracts::speakers::SpeakerDeclined::EVENT_TYPE,
    contracts::speakers::InvitationWithdrawn::EVENT_TYPE,
    contracts::speakers::ChangesRequested::EVENT_TYPE,
    contracts::speakers::MaterialSubmitted::EVENT_TYPE,
    contracts::speakers::SpeakerEmailChangeRequested::EVENT_TYPE,
    contracts::attendees::AttendeeProfileChanged::EVENT_TYPE,
    contracts::attendees::AttendeeProfileChangedV1::EVENT_TYPE,
    contracts::attendees::AttendeeErased::EVENT_TYPE,
    contracts::attendees::RegistrationStatusChanged::EVENT_TYPE,
    contracts::attendees::NewsletterConfirmationRequested::EVENT_TYPE,
    contracts::attendees::AttendeeEmailChangeRequested::EVENT_TYPE,
    contracts::attendees::NewsletterSubscriptionChanged::EVENT_TYPE,
    contracts::events::RoleGranted::EVENT_TYPE,
    contracts::events::RoleRevoked::EVENT_TYPE,
    contracts::events::SessionCreated::EVENT_TYPE,
    contracts::events::SessionUpdated::EVENT_TYPE,
    contracts::events::EventPublished::EVENT_TYPE,
    contracts::events::AgendaChanged::EVENT_TYPE,
    contracts::events::RegistrationClosed::EVENT_TYPE,
    contracts::events::OverflowSpeakerDeclined::EVENT_TYPE,
    contracts::events::EventDetailsChanged::EVENT_TYPE,
    contracts::partners::PartnerChanged::EVENT_TYPE,
    contracts::partners::PartnerContactChanged::EVENT_TYPE,
    contracts::partners::PartnerContactErased::EVENT_TYPE,
    contracts::partners::PartnerContactEmailChangeRequested::EVENT_TYPE,
    contracts::partners::PartnerMeetingInvited::EVENT_TYPE,
    contracts::partners::PartnerWebhookDisabled::EVENT_TYPE,
    contracts::content::StorageQuotaWarning::EVENT_TYPE,
];

#[async_trait]
impl Reaction for NotificationsReactions {
    fn handler(&self) -> &'static str {
        "notifications"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        // Only events it acts on wait behind an earlier one of their aggregate.
        if REACTS_TO.contains(&envelope.event_type.as_str())
            && deferred::is_blocked(conn, envelope).await?
        {
            let waiting = "an earlier event of the same aggregate";
            return Ok(deferred::park(conn, envelope, waiting, Utc::now()).await?);
        }
        let mut step = conn.begin().await?;
        match self.apply(&mut step, envelope).await {
            Ok(()) => Ok(step.commit().await?),
            Err(StepError::Waiting(what)) => {
                step.rollback().await?;
                Ok(deferred::park(conn, envelope, &what, Utc::now()).await?)
            }
            Err(StepError::Failed(error)) => Err(error),
        }
    }
}

impl NotificationsReactions {
    /// Applies one event (inside the caller's transaction).
    pub async fn apply(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), StepError> {
        let now = self.clock.now();
        let cause = json!({ "eventId": envelope.id, "eventType": envelope.event_type });
        let step = Step {
            conn,
            now,
            cause,
            base: &self.public_base_url,
            peers: &self.peers,
        };
        match envelope.event_type.as_str() {
            SpeakerProfileChanged::EVENT_TYPE => step.on_speaker_profile(envelope.decode()?).await,
            SpeakerProfileChangedV1::EVENT_TYPE => {
                step.on_plain_speaker_profile(envelope.decode()?).await
            }
            AttendeeProfileChanged::EVENT_TYPE => {
                step.on_attendee_profile(envelope.decode()?).await
            }
            AttendeeProfileChangedV1::EVENT_TYPE => {
                step.on_plain_attendee_profile(envelope.decode()?).await
            }
            AttendeeErased::EVENT_TYPE => {
                let erased: AttendeeErased = envelope.decode()?;
                Ok(directory::erase_person(step.conn, erased.attendee_id).await?)
            }
            SpeakerErased::EVENT_TYPE => {
                let erased: SpeakerErased = envelope.decode()?;
                Ok(directory::erase_person(step.conn, erased.speaker_id).await?)
            }
            RoleGranted::EVENT_TYPE => {
                service_kit::grants::record(step.conn, envelope).await?;
                step.on_role_granted(envelope.decode()?).await
            }
            RoleRevoked::EVENT_TYPE => {
                service_kit::grants::record(step.conn, envelope).await?;
                let revoked: RoleRevoked = envelope.decode()?;
                Ok(directory::revoke_organizer(step.conn, revoked.role_id).await?)
            }
            SessionCreated::EVENT_TYPE => {
                let s = envelope.decode::<SessionCreated>()?.session;
                Ok(
                    directory::upsert_session(step.conn, s.session_id, s.event_id, &s.title)
                        .await?,
                )
            }
            SessionUpdated::EVENT_TYPE => {
                let s = envelope.decode::<SessionUpdated>()?.session;
                Ok(
                    directory::upsert_session(step.conn, s.session_id, s.event_id, &s.title)
                        .await?,
                )
            }
            EventPublished::EVENT_TYPE => step.on_event_published(envelope.decode()?).await,
            AgendaChanged::EVENT_TYPE => step.on_agenda_changed(envelope.decode()?).await,
            RegistrationClosed::EVENT_TYPE => step.on_registration_closed(envelope.decode()?).await,
            OverflowSpeakerDeclined::EVENT_TYPE => {
                step.on_overflow_declined(envelope.decode()?).await
            }
            EventDetailsChanged::EVENT_TYPE => {
                let e: EventDetailsChanged = envelope.decode()?;
                let event = EventRow {
                    event_id: e.event_id,
                    event_number: e.event_number,
                    title: e.title,
                    event_date: e.event_date,
                    registration_deadline: e.registration_deadline,
                };
                Ok(directory::upsert_event(step.conn, &event).await?)
            }
            SpeakerInvited::EVENT_TYPE => step.on_speaker_invited(envelope.decode()?).await,
            SpeakerAccepted::EVENT_TYPE => step.on_speaker_accepted(envelope.decode()?).await,
            SpeakerDeclined::EVENT_TYPE => step.on_speaker_declined(envelope.decode()?).await,
            InvitationWithdrawn::EVENT_TYPE => {
                step.on_invitation_withdrawn(envelope.decode()?).await
            }
            ChangesRequested::EVENT_TYPE => step.on_changes_requested(envelope.decode()?).await,
            MaterialSubmitted::EVENT_TYPE => step.on_material_submitted(envelope.decode()?).await,
            RegistrationStatusChanged::EVENT_TYPE => {
                step.on_registration_status_changed(envelope.decode()?)
                    .await
            }
            NewsletterConfirmationRequested::EVENT_TYPE => {
                step.on_newsletter_confirmation_requested(envelope.decode()?)
                    .await
            }
            AttendeeEmailChangeRequested::EVENT_TYPE => {
                step.on_attendee_address_change(envelope.decode()?).await
            }
            SpeakerEmailChangeRequested::EVENT_TYPE => {
                step.on_speaker_address_change(envelope.decode()?).await
            }
            PartnerChanged::EVENT_TYPE => step.on_partner_changed(envelope.decode()?).await,
            PartnerContactChanged::EVENT_TYPE => step.on_partner_contact(envelope.decode()?).await,
            PartnerContactErased::EVENT_TYPE => {
                step.on_partner_contact_erased(envelope.decode()?).await
            }
            PartnerContactEmailChangeRequested::EVENT_TYPE => {
                step.on_partner_contact_address_change(envelope.decode()?)
                    .await
            }
            PartnerMeetingInvited::EVENT_TYPE => {
                step.on_partner_meeting_invited(envelope.decode()?).await
            }
            StorageQuotaWarning::EVENT_TYPE => {
                step.on_storage_quota_warning(envelope.decode()?).await
            }
            PartnerWebhookDisabled::EVENT_TYPE => {
                step.on_partner_webhook_disabled(envelope.decode()?).await
            }
            NewsletterSubscriptionChanged::EVENT_TYPE => {
                let changed: NewsletterSubscriptionChanged = envelope.decode()?;
                Ok(
                    directory::set_subscription(step.conn, changed.attendee_id, &changed.status)
                        .await?,
                )
            }
            _ => Ok(()),
        }
    }
}

/// One event being applied.
struct Step<'a> {
    conn: &'a mut PgConnection,
    now: chrono::DateTime<chrono::Utc>,
    cause: Value,
    base: &'a str,
    peers: &'a Peers,
}

fn variables<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl Step<'_> {
    /// The recipient `id`; the step waits for their contact (see the module note).
    async fn required(&mut self, id: Uuid, who: &str) -> Result<RecipientRow, StepError> {
        directory::fetch_recipient(self.conn, id)
            .await?
            .ok_or_else(|| StepError::Waiting(format!("the contact of {who} {id}")))
    }

    async fn mail(
        &mut self,
        to: &RecipientRow,
        template_type: TemplateType,
        vars: Map<String, Value>,
    ) -> Result<(), StepError> {
        let notice = Notice {
            template_type,
            variables: vars,
            cause: self.cause.clone(),
        };
        notify(self.conn, to, notice, self.now).await?;
        Ok(())
    }

    async fn session_title(&mut self, id: Uuid) -> Result<String, StepError> {
        directory::session_title(self.conn, id)
            .await?
            .ok_or_else(|| StepError::Waiting(format!("session {id}")))
    }

    async fn event(&mut self, id: Uuid) -> Result<EventRow, StepError> {
        directory::fetch_event(self.conn, id)
            .await?
            .ok_or_else(|| StepError::Waiting(format!("event {id}")))
    }

    async fn on_role_granted(self, e: RoleGranted) -> Result<(), StepError> {
        // Organizers are mailed by id; subjects that are no uuid cannot be addressed.
        match (e.role.get(), Uuid::parse_str(&e.user_id)) {
            (Some(RoleName::Organizer), Ok(user_id)) => {
                Ok(directory::grant_organizer(self.conn, e.role_id, user_id, e.event_id).await?)
            }
            _ => Ok(()),
        }
    }

    async fn on_speaker_invited(mut self, e: SpeakerInvited) -> Result<(), StepError> {
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let vars = variables([
            ("sessionTitle", session_title.into()),
            (
                "presentationTitle",
                e.presentation_title.unwrap_or_default().into(),
            ),
            ("role", e.role.to_string().into()),
            ("invitationLink", e.invitation_link.into()),
            (
                "expiresAt",
                local_time(e.expires_at, speaker.language()).into(),
            ),
        ]);
        self.mail(&speaker, TemplateType::SpeakerInvitation, vars)
            .await
    }

    async fn on_invitation_withdrawn(mut self, e: InvitationWithdrawn) -> Result<(), StepError> {
        obligations::close_obligation(self.conn, e.assignment_id).await?;
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let vars = variables([("sessionTitle", session_title.into())]);
        self.mail(&speaker, TemplateType::InvitationWithdrawn, vars)
            .await
    }

    /// Mails every organizer of `event_id` who gave a contact.
    async fn inform_organizers(
        &mut self,
        event_id: Uuid,
        template_type: TemplateType,
        vars: Map<String, Value>,
    ) -> Result<(), StepError> {
        for organizer_id in directory::organizers_of(self.conn, event_id).await? {
            if let Some(organizer) = directory::fetch_recipient(self.conn, organizer_id).await? {
                self.mail(&organizer, template_type, vars.clone()).await?;
            }
        }
        Ok(())
    }

    async fn on_speaker_accepted(mut self, e: SpeakerAccepted) -> Result<(), StepError> {
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let vars = variables([
            ("speakerName", speaker.display_name.clone().into()),
            ("sessionTitle", session_title.into()),
        ]);
        self.inform_organizers(e.event_id, TemplateType::SpeakerAccepted, vars)
            .await?;
        let obligation = Obligation {
            assignment_id: e.assignment_id,
            speaker_id: e.speaker_id,
            session_id: e.session_id,
            event_id: e.event_id,
            rule_type: RuleType::SpeakerDeadline,
            deadline: None,
        };
        Ok(obligations::open_obligation(self.conn, &obligation, self.now).await?)
    }

    async fn on_speaker_declined(mut self, e: SpeakerDeclined) -> Result<(), StepError> {
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let vars = variables([
            ("speakerName", speaker.display_name.clone().into()),
            ("sessionTitle", session_title.into()),
            ("reason", e.reason.unwrap_or_default().into()),
        ]);
        self.inform_organizers(e.event_id, TemplateType::SpeakerDeclined, vars)
            .await?;
        Ok(obligations::close_obligation(self.conn, e.assignment_id).await?)
    }

    /// A speaker not selected in the overflow voting hears it, and their deadlines end.
    async fn on_overflow_declined(mut self, e: OverflowSpeakerDeclined) -> Result<(), StepError> {
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let event = self.event(e.event_id).await?;
        let vars = variables([
            ("sessionTitle", session_title.into()),
            ("eventTitle", event.title.into()),
            ("reason", e.reason.into()),
        ]);
        self.mail(&speaker, TemplateType::OverflowDeclined, vars)
            .await?;
        let (session, speaker) = (e.session_id, e.speaker_id);
        Ok(obligations::close_for_session(self.conn, session, speaker).await?)
    }

    async fn on_changes_requested(mut self, e: ChangesRequested) -> Result<(), StepError> {
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let vars = variables([
            ("sessionTitle", session_title.into()),
            ("feedback", e.feedback.into()),
            (
                "deadline",
                local_time(e.revision_deadline, speaker.language()).into(),
            ),
        ]);
        self.mail(&speaker, TemplateType::ChangesRequested, vars)
            .await?;
        let obligation = Obligation {
            assignment_id: e.assignment_id,
            speaker_id: e.speaker_id,
            session_id: e.session_id,
            event_id: e.event_id,
            rule_type: RuleType::ContentReview,
            deadline: Some(e.revision_deadline),
        };
        Ok(obligations::open_obligation(self.conn, &obligation, self.now).await?)
    }

    async fn on_material_submitted(mut self, e: MaterialSubmitted) -> Result<(), StepError> {
        obligations::record_submission(self.conn, e.assignment_id, e.submitted_at).await?;
        let speaker = self.required(e.speaker_id, "speaker").await?;
        let session_title = self.session_title(e.session_id).await?;
        let vars = variables([
            ("sessionTitle", session_title.into()),
            ("revision", e.revision.into()),
        ]);
        self.mail(&speaker, TemplateType::MaterialReceived, vars)
            .await
    }

    async fn on_registration_status_changed(
        mut self,
        e: RegistrationStatusChanged,
    ) -> Result<(), StepError> {
        use RegistrationState::*;
        let template_type = match (e.status.get(), e.reason.as_deref()) {
            (Some(Confirmed), Some(reason)) if reason.contains("promoted") => {
                TemplateType::RegistrationPromoted
            }
            (Some(Confirmed), _) => TemplateType::RegistrationConfirmed,
            (Some(Waitlisted), _) => TemplateType::RegistrationWaitlisted,
            (Some(Cancelled), _) => TemplateType::RegistrationCancelled,
            (Some(Rejected), _) => TemplateType::RegistrationRejected,
            _ => return Ok(()),
        };
        // Cancelled because the attendee asked to be erased: they hear nothing more, and
        // their erasure (`AttendeeErased`) removes the registrations kept here.
        if e.reason.as_deref() == Some(ERASED) {
            return Ok(());
        }
        let confirmed = matches!(e.status.get(), Some(Confirmed));
        let (id, at) = (e.registration_id, e.changed_at);
        registrations::record(self.conn, id, e.event_id, e.attendee_id, confirmed, at).await?;
        let attendee = self.required(e.attendee_id, "attendee").await?;
        let event = self.event(e.event_id).await?;
        let mut vars = variables([
            ("eventTitle", event.title.into()),
            (
                "eventDate",
                local_time(event.event_date, attendee.language()).into(),
            ),
        ]);
        if template_type == TemplateType::RegistrationRejected {
            vars.insert("reason".into(), e.reason.unwrap_or_default().into());
        }
        self.mail(&attendee, template_type, vars).await
    }

    async fn on_newsletter_confirmation_requested(
        mut self,
        e: NewsletterConfirmationRequested,
    ) -> Result<(), StepError> {
        let attendee = self.required(e.attendee_id, "attendee").await?;
        let vars = variables([
            (
                "confirmationLink",
                format!(
                    "{}/newsletter/confirm?token={}",
                    self.base, e.confirmation_token
                )
                .into(),
            ),
            (
                "unsubscribeLink",
                format!(
                    "{}/newsletter/unsubscribe?token={}",
                    self.base, e.unsubscribe_token
                )
                .into(),
            ),
        ]);
        self.mail(&attendee, TemplateType::NewsletterConfirmation, vars)
            .await
    }
}
