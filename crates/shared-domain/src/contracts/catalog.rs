//! The catalog of every integration event: its type, producer, aggregate and the JSON
//! Schema of its payload, from which the AsyncAPI document of the bus is generated
//! (`batbern-ops asyncapi`). A test keeps it complete: every event type named in the
//! contract modules is listed here.

use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::{attendees, companies, content, events, partners, speakers, IntegrationEvent};

/// One integration event as the catalog describes it.
pub struct EventDescription {
    /// The CloudEvents `type`, e.g. `companies.company.created.v1`.
    pub event_type: &'static str,
    /// The producing context (the topic is `batbern.<context>.v1`).
    pub context: &'static str,
    /// The aggregate kind; its id is the Kafka key.
    pub aggregate_type: &'static str,
    /// The payload type's name (`CompanyCreated`).
    pub name: String,
    /// The payload's schema.
    pub schema: RefOr<Schema>,
    /// The schemas the payload's schema refers to, by name.
    pub referenced: Vec<(String, RefOr<Schema>)>,
}

fn describe<E: IntegrationEvent + ToSchema>() -> EventDescription {
    let mut referenced = Vec::new();
    E::schemas(&mut referenced);
    EventDescription {
        event_type: E::EVENT_TYPE,
        context: E::CONTEXT,
        aggregate_type: E::AGGREGATE_TYPE,
        name: E::name().into_owned(),
        schema: E::schema(),
        referenced,
    }
}

/// Every integration event, grouped by producing context.
pub fn catalog() -> Vec<EventDescription> {
    vec![
        describe::<attendees::NewsletterConfirmationRequested>(),
        describe::<attendees::AttendeeEmailChangeRequested>(),
        describe::<attendees::NewsletterSubscriptionChanged>(),
        describe::<attendees::RegistrationRequested>(),
        describe::<attendees::RegistrationCancelled>(),
        describe::<attendees::RegistrationStatusChanged>(),
        describe::<attendees::AttendanceRecorded>(),
        describe::<attendees::AttendeeProfileChanged>(),
        describe::<attendees::AttendeeProfileChangedV1>(),
        describe::<attendees::AttendeeErased>(),
        describe::<companies::CompanyCreated>(),
        describe::<companies::CompanyUpdated>(),
        describe::<companies::CompanyArchived>(),
        describe::<content::ContentUploaded>(),
        describe::<content::ContentDeleted>(),
        describe::<content::ContentDownloaded>(),
        describe::<content::StorageQuotaWarning>(),
        describe::<content::SessionMaterialsChanged>(),
        describe::<events::EventStatusChanged>(),
        describe::<events::EventWorkflowChanged>(),
        describe::<events::EventDetailsChanged>(),
        describe::<events::EventPublished>(),
        describe::<events::RegistrationOpened>(),
        describe::<events::RegistrationClosed>(),
        describe::<events::SessionCreated>(),
        describe::<events::SessionUpdated>(),
        describe::<events::SessionCancelled>(),
        describe::<events::AgendaChanged>(),
        describe::<events::SessionScheduled>(),
        describe::<events::SeatReserved>(),
        describe::<events::SeatRefused>(),
        describe::<events::SeatReleased>(),
        describe::<events::SeatsAdded>(),
        describe::<events::OverflowSpeakerDeclined>(),
        describe::<events::RoleGranted>(),
        describe::<events::RoleRevoked>(),
        describe::<events::SessionReviewChanged>(),
        describe::<events::TopicChanged>(),
        describe::<events::TopicUsed>(),
        describe::<partners::PartnerChanged>(),
        describe::<partners::TopicVoteCast>(),
        describe::<partners::TopicVoteWithdrawn>(),
        describe::<partners::TopicSuggestionAccepted>(),
        describe::<partners::PartnerContactChanged>(),
        describe::<partners::PartnerContactErased>(),
        describe::<partners::PartnerContactEmailChangeRequested>(),
        describe::<partners::PartnerMeetingInvited>(),
        describe::<partners::PartnerWebhookDisabled>(),
        describe::<speakers::SpeakerInvited>(),
        describe::<speakers::SpeakerAccepted>(),
        describe::<speakers::SpeakerDeclined>(),
        describe::<speakers::InvitationWithdrawn>(),
        describe::<speakers::MaterialSubmitted>(),
        describe::<speakers::ContentApproved>(),
        describe::<speakers::ChangesRequested>(),
        describe::<speakers::SlotPreferencesSubmitted>(),
        describe::<speakers::SpeakerProfileChanged>(),
        describe::<speakers::SpeakerProfileChangedV1>(),
        describe::<speakers::SpeakerErased>(),
        describe::<speakers::SpeakerEmailChangeRequested>(),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every `"<context>.<aggregate>.<past tense>.v<N>"` literal of the contract modules.
    fn event_types_in_the_contracts() -> BTreeSet<String> {
        let sources = [
            include_str!("attendees.rs"),
            include_str!("companies.rs"),
            include_str!("content.rs"),
            include_str!("events.rs"),
            include_str!("partners.rs"),
            include_str!("speakers.rs"),
        ];
        let mut types = BTreeSet::new();
        for source in sources {
            for literal in source.split('"').skip(1).step_by(2) {
                let parts: Vec<&str> = literal.split('.').collect();
                let versioned = parts.last().is_some_and(|v| {
                    v.len() > 1 && v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit())
                });
                if parts.len() == 4
                    && versioned
                    && parts.iter().all(|p| !p.is_empty() && !p.contains(' '))
                {
                    types.insert(literal.to_owned());
                }
            }
        }
        types
    }

    #[test]
    fn the_catalog_lists_every_event_type_of_the_contracts_once() {
        let listed: Vec<&str> = catalog().iter().map(|e| e.event_type).collect();
        let unique: BTreeSet<String> = listed.iter().map(|t| t.to_string()).collect();
        assert_eq!(unique.len(), listed.len(), "listed twice: {listed:?}");
        assert_eq!(unique, event_types_in_the_contracts());
    }
}
