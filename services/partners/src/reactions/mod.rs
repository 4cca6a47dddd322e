//! The partners service's read models: companies (a partner's company must be known and
//! active), the topic library with its uses (votes close when an event uses a topic; an
//! accepted suggestion whose topic is used becomes `implemented`), the events held,
//! attendance and material downloads by company (analytics); the platform's role grants;
//! and the deliveries of partners' webhooks (`webhooks`).

use async_trait::async_trait;
use event_bus::{Envelope, Reaction, ReactionError};
use shared_domain::contracts;
use shared_domain::contracts::attendees::{AttendanceRecorded, AttendeeErased};
use shared_domain::contracts::content::ContentDownloaded;
use shared_domain::contracts::events::{
    EventDetailsChanged, EventPublished, TopicChanged, TopicUsed,
};
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;

use crate::store::{analytics, read_models, suggestions};

mod webhooks;

/// The consumer of the partners service.
pub struct PartnersReactions;

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::events::RoleGranted::EVENT_TYPE,
    contracts::events::RoleRevoked::EVENT_TYPE,
    contracts::events::TopicChanged::EVENT_TYPE,
    contracts::events::TopicUsed::EVENT_TYPE,
    contracts::events::EventDetailsChanged::EVENT_TYPE,
    contracts::events::EventPublished::EVENT_TYPE,
    contracts::attendees::RegistrationStatusChanged::EVENT_TYPE,
    contracts::attendees::AttendanceRecorded::EVENT_TYPE,
    contracts::attendees::AttendeeErased::EVENT_TYPE,
    contracts::partners::TopicSuggestionAccepted::EVENT_TYPE,
    contracts::partners::PartnerMeetingInvited::EVENT_TYPE,
    contracts::content::ContentDownloaded::EVENT_TYPE,
    contracts::companies::CompanyCreated::EVENT_TYPE,
    contracts::companies::CompanyUpdated::EVENT_TYPE,
    contracts::companies::CompanyArchived::EVENT_TYPE,
];

#[async_trait]
impl Reaction for PartnersReactions {
    fn handler(&self) -> &'static str {
        "partners"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if service_kit::grants::record(conn, envelope).await?
            || webhooks::queue(conn, envelope).await?
        {
            return Ok(());
        }
        match envelope.event_type.as_str() {
            TopicChanged::EVENT_TYPE => {
                Ok(read_models::upsert_topic(conn, &envelope.decode()?).await?)
            }
            TopicUsed::EVENT_TYPE => {
                let used: TopicUsed = envelope.decode()?;
                read_models::record_use(conn, &used).await?;
                Ok(suggestions::implement(conn, used.topic_id, used.assigned_at).await?)
            }
            EventDetailsChanged::EVENT_TYPE => {
                let e: EventDetailsChanged = envelope.decode()?;
                let (id, date, version) = (e.event_id, e.event_date, e.version);
                Ok(read_models::upsert_event(conn, id, &e.title, date, version).await?)
            }
            EventPublished::EVENT_TYPE => {
                let e: EventPublished = envelope.decode()?;
                Ok(read_models::publish_event(conn, e.event_id, &e.title, e.event_date).await?)
            }
            ContentDownloaded::EVENT_TYPE => {
                let d: ContentDownloaded = envelope.decode()?;
                analytics::record_download(conn, envelope.id, &d).await?;
                Ok(())
            }
            AttendanceRecorded::EVENT_TYPE => {
                Ok(read_models::record_attendance(conn, &envelope.decode()?).await?)
            }
            AttendeeErased::EVENT_TYPE => {
                let e: AttendeeErased = envelope.decode()?;
                Ok(read_models::forget_attendee(conn, e.attendee_id).await?)
            }
            _ => service_kit::directory::apply_company_event(conn, envelope)
                .await
                .map(|_| ()),
        }
    }
}
