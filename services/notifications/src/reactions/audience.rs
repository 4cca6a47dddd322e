//! What the audience of an event hears: the newsletter subscribers when it is published
//! (`event_published`), as its agenda changes (`newsletter_progressive`) and when its
//! registration closes with the final agenda (`newsletter_final`); the attendees holding a
//! confirmed seat of each agenda change (`agenda_update`).

use serde_json::{Map, Value};
use shared_domain::contracts::events::{AgendaChanged, EventPublished, RegistrationClosed};
use uuid::Uuid;

use super::{variables, Step, StepError};
use crate::domain::template::local_time;
use crate::domain::TemplateType;
use crate::store::directory::{self, EventRow};
use crate::store::registrations;

impl Step<'_> {
    pub(super) async fn on_event_published(mut self, e: EventPublished) -> Result<(), StepError> {
        let event = EventRow {
            event_id: e.event_id,
            event_number: e.event_number,
            title: e.title.clone(),
            event_date: e.event_date,
            registration_deadline: e.registration_deadline,
        };
        directory::upsert_event(self.conn, &event).await?;
        let agenda = format!("{}/api/v1/events/{}/agenda", self.base, e.event_id);
        for attendee_id in directory::confirmed_subscribers(self.conn).await? {
            let Some(subscriber) = directory::fetch_recipient(self.conn, attendee_id).await? else {
                continue;
            };
            let language = subscriber.language();
            let vars = variables([
                ("eventTitle", e.title.clone().into()),
                ("eventNumber", e.event_number.into()),
                ("eventDate", local_time(e.event_date, language).into()),
                (
                    "registrationDeadline",
                    local_time(e.registration_deadline, language).into(),
                ),
                ("agendaLink", agenda.clone().into()),
            ]);
            self.mail(&subscriber, TemplateType::EventPublished, vars)
                .await?;
        }
        Ok(())
    }

    /// Each attendee holding a confirmed seat hears of the change once (`agenda_update`);
    /// the other newsletter subscribers get the progressive newsletter.
    pub(super) async fn on_agenda_changed(mut self, e: AgendaChanged) -> Result<(), StepError> {
        let attendees = registrations::confirmed_attendees(self.conn, e.event_id).await?;
        self.tell(e.event_id, &attendees, TemplateType::AgendaUpdate)
            .await?;
        let readers: Vec<Uuid> = directory::confirmed_subscribers(self.conn)
            .await?
            .into_iter()
            .filter(|id| !attendees.contains(id))
            .collect();
        self.tell(e.event_id, &readers, TemplateType::NewsletterProgressive)
            .await
    }

    /// Registration closed: the subscribers get the final newsletter with the agenda.
    pub(super) async fn on_registration_closed(
        mut self,
        e: RegistrationClosed,
    ) -> Result<(), StepError> {
        let readers = directory::confirmed_subscribers(self.conn).await?;
        self.tell(e.event_id, &readers, TemplateType::NewsletterFinal)
            .await
    }

    /// Mails `recipients` a mail of `template_type` about the event, with its agenda link.
    async fn tell(
        &mut self,
        event_id: Uuid,
        recipients: &[Uuid],
        template_type: TemplateType,
    ) -> Result<(), StepError> {
        let event = self.event(event_id).await?;
        let agenda = format!("{}/api/v1/events/{event_id}/agenda", self.base);
        for id in recipients {
            let Some(recipient) = directory::fetch_recipient(self.conn, *id).await? else {
                continue;
            };
            let date = local_time(event.event_date, recipient.language());
            let vars: Map<String, Value> = variables([
                ("eventTitle", event.title.clone().into()),
                ("eventDate", date.into()),
                ("agendaLink", agenda.clone().into()),
            ]);
            self.mail(&recipient, template_type, vars).await?;
        }
        Ok(())
    }
}
