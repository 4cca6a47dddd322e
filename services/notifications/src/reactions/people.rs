//! Who the notifications context can mail: the contacts attendees and speakers announce
//! (sealed with each person's key, opened with the owner's key route; the first,
//! plain-text version still read from older outboxes) and the move to a new address,
//! whose confirmation link goes to the new address and a notice to the current one.

use chrono::{DateTime, Utc};
use event_bus::ReactionError;
use serde::de::DeserializeOwned;
use serde_json::Map;
use service_kit::peers::PeerError;
use shared_domain::contracts::attendees::{
    AttendeeEmailChangeRequested, AttendeeProfileChanged, AttendeeProfileChangedV1,
};
use shared_domain::contracts::speakers::{
    SpeakerEmailChangeRequested, SpeakerProfileChanged, SpeakerProfileChangedV1,
};
use shared_domain::contracts::{Identity, Known, Language as ContractLanguage, Sealed};
use uuid::Uuid;

use super::{variables, Step, StepError};
use crate::domain::template::local_time;
use crate::domain::{Language, RecipientKind, TemplateType};
use crate::store::directory::{self, Contact, RecipientRow};

/// A contact as an announcement gives it.
pub(super) struct Announced {
    pub id: Uuid,
    pub kind: RecipientKind,
    pub who: Identity,
    pub language: Known<ContractLanguage>,
    pub optional_mail: bool,
    pub changed_at: DateTime<Utc>,
}

/// A person's requested move to a new address: the link (a path under the public base URL)
/// goes to the new address, a notice to the current one.
pub(super) struct AddressChange {
    pub person_id: Uuid,
    pub kind: &'static str,
    pub new_email: String,
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

/// The mail language a contact event names; German when it names one this build does not
/// know.
fn mail_language(language: &Known<ContractLanguage>) -> Language {
    match language.get() {
        Some(ContractLanguage::En) => Language::En,
        Some(ContractLanguage::De) | None => Language::De,
    }
}

fn identity(email: String, first_name: String, last_name: String) -> Identity {
    Identity {
        email,
        first_name,
        last_name,
    }
}

impl Step<'_> {
    /// Opens what `owner` sealed: none when the person was erased meanwhile (their key is
    /// gone); the step waits while the owner cannot be asked.
    pub(super) async fn unseal<T: DeserializeOwned>(
        &self,
        owner: &str,
        sealed: &Sealed<T>,
    ) -> Result<Option<T>, StepError> {
        self.peers
            .open(owner, sealed)
            .await
            .map_err(|error| match error {
                PeerError::Unreachable { .. } => StepError::Waiting(error.to_string()),
                PeerError::Seal(_) => StepError::Failed(ReactionError::Refused(error.to_string())),
            })
    }

    pub(super) async fn on_speaker_profile(
        self,
        e: SpeakerProfileChanged,
    ) -> Result<(), StepError> {
        let Some(who) = self.unseal("speakers", &e.identity).await? else {
            return Ok(());
        };
        let kind = RecipientKind::Speaker;
        let (id, language, optional_mail, changed_at) = (
            e.speaker_id,
            e.language,
            e.email_notifications,
            e.changed_at,
        );
        self.keep(Announced {
            id,
            kind,
            who,
            language,
            optional_mail,
            changed_at,
        })
        .await
    }

    pub(super) async fn on_plain_speaker_profile(
        self,
        e: SpeakerProfileChangedV1,
    ) -> Result<(), StepError> {
        let who = identity(e.email, e.first_name, e.last_name);
        let kind = RecipientKind::Speaker;
        let (id, language, optional_mail, changed_at) = (
            e.speaker_id,
            e.language,
            e.email_notifications,
            e.changed_at,
        );
        self.keep(Announced {
            id,
            kind,
            who,
            language,
            optional_mail,
            changed_at,
        })
        .await
    }

    pub(super) async fn on_attendee_profile(
        self,
        e: AttendeeProfileChanged,
    ) -> Result<(), StepError> {
        let Some(who) = self.unseal("attendees", &e.identity).await? else {
            return Ok(());
        };
        let kind = RecipientKind::Attendee;
        let (id, language, changed_at) = (e.attendee_id, e.language, e.changed_at);
        self.keep(Announced {
            id,
            kind,
            who,
            language,
            optional_mail: true,
            changed_at,
        })
        .await
    }

    pub(super) async fn on_plain_attendee_profile(
        self,
        e: AttendeeProfileChangedV1,
    ) -> Result<(), StepError> {
        let who = identity(e.email, e.first_name, e.last_name);
        let kind = RecipientKind::Attendee;
        let (id, language, changed_at) = (e.attendee_id, e.language, e.changed_at);
        self.keep(Announced {
            id,
            kind,
            who,
            language,
            optional_mail: true,
            changed_at,
        })
        .await
    }

    /// Keeps the announced contact in the recipient directory.
    pub(super) async fn keep(self, a: Announced) -> Result<(), StepError> {
        let name = format!("{} {}", a.who.first_name, a.who.last_name);
        let contact = Contact {
            kind: a.kind,
            email: &a.who.email,
            display_name: &name,
            language: mail_language(&a.language),
            optional_mail: a.optional_mail,
        };
        Ok(directory::upsert_recipient(self.conn, a.id, &contact, a.changed_at).await?)
    }

    pub(super) async fn on_attendee_address_change(
        self,
        e: AttendeeEmailChangeRequested,
    ) -> Result<(), StepError> {
        let Some(new_address) = self.unseal("attendees", &e.new_email).await? else {
            return Ok(());
        };
        let change = AddressChange {
            person_id: e.attendee_id,
            kind: "attendee",
            new_email: new_address.email,
            link: format!("/attendee/email/confirm?token={}", e.confirmation_token),
            expires_at: e.expires_at,
        };
        self.on_address_change(change).await
    }

    pub(super) async fn on_speaker_address_change(
        self,
        e: SpeakerEmailChangeRequested,
    ) -> Result<(), StepError> {
        let Some(new_address) = self.unseal("speakers", &e.new_email).await? else {
            return Ok(());
        };
        let change = AddressChange {
            person_id: e.speaker_id,
            kind: "speaker",
            new_email: new_address.email,
            link: format!("/speaker/email/confirm?token={}", e.confirmation_token),
            expires_at: e.expires_at,
        };
        self.on_address_change(change).await
    }

    /// The link goes to the new address (nothing else does until it is followed); the
    /// current address is told.
    pub(super) async fn on_address_change(
        mut self,
        change: AddressChange,
    ) -> Result<(), StepError> {
        let person = self.required(change.person_id, change.kind).await?;
        let link = format!("{}{}", self.base, change.link);
        let expires = local_time(change.expires_at, person.language());
        let vars = variables([
            ("confirmationLink", link.into()),
            ("expiresAt", expires.into()),
        ]);
        let new_address = RecipientRow {
            email: change.new_email,
            ..person.clone()
        };
        self.mail(&new_address, TemplateType::EmailChangeConfirmation, vars)
            .await?;
        self.mail(&person, TemplateType::EmailChangeNotice, Map::new())
            .await
    }
}
