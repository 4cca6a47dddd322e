//! What partner contacts hear: their contact details arrive sealed from the partners
//! context (erased when the contact is removed), and a partner meeting's invitation goes
//! to each invited partner's primary contact in their language. Which company each
//! partner is, and which contact is its primary one, are kept for mails about a partner
//! integration (its storage quota, its webhook disabled after failing deliveries).

use shared_domain::contracts::partners::{
    PartnerChanged, PartnerContactChanged, PartnerContactEmailChangeRequested,
    PartnerContactErased, PartnerMeetingInvited, PartnerWebhookDisabled,
};

use super::people::{AddressChange, Announced};
use super::{variables, Step, StepError};
use crate::domain::template::local_time;
use crate::domain::{RecipientKind, TemplateType};
use crate::store::directory;

impl Step<'_> {
    pub(super) async fn on_partner_webhook_disabled(
        mut self,
        e: PartnerWebhookDisabled,
    ) -> Result<(), StepError> {
        let Some(contact) = directory::primary_partner_contact(self.conn, e.company_id).await?
        else {
            tracing::info!(partner = %e.partner_id, "webhook disabled for a partner without a primary contact; not mailed");
            return Ok(());
        };
        let vars = variables([
            ("url", e.url.into()),
            ("failedDeliveries", e.failed_deliveries.into()),
        ]);
        self.mail(&contact, TemplateType::WebhookDisabled, vars)
            .await
    }

    pub(super) async fn on_partner_changed(self, e: PartnerChanged) -> Result<(), StepError> {
        Ok(directory::upsert_partner(self.conn, e.partner_id, e.company_id).await?)
    }

    pub(super) async fn on_partner_contact(
        self,
        e: PartnerContactChanged,
    ) -> Result<(), StepError> {
        let Some(who) = self.unseal("partners", &e.identity).await? else {
            return Ok(());
        };
        let (contact, partner) = (e.contact_id, e.partner_id);
        directory::upsert_partner_contact(self.conn, contact, partner, e.is_primary).await?;
        let announced = Announced {
            id: e.contact_id,
            kind: RecipientKind::PartnerContact,
            who,
            language: e.language,
            optional_mail: true,
            changed_at: e.changed_at,
        };
        self.keep(announced).await
    }

    pub(super) async fn on_partner_contact_address_change(
        self,
        e: PartnerContactEmailChangeRequested,
    ) -> Result<(), StepError> {
        let Some(new_address) = self.unseal("partners", &e.new_email).await? else {
            return Ok(());
        };
        let change = AddressChange {
            person_id: e.contact_id,
            kind: "partner contact",
            new_email: new_address.email,
            link: format!("/partner/email/confirm?token={}", e.confirmation_token),
            expires_at: e.expires_at,
        };
        self.on_address_change(change).await
    }

    pub(super) async fn on_partner_contact_erased(
        self,
        e: PartnerContactErased,
    ) -> Result<(), StepError> {
        Ok(directory::erase_person(self.conn, e.contact_id).await?)
    }

    pub(super) async fn on_partner_meeting_invited(
        mut self,
        e: PartnerMeetingInvited,
    ) -> Result<(), StepError> {
        let contact = self.required(e.contact_id, "partner contact").await?;
        let vars = variables([
            ("companyName", e.company_name.into()),
            ("meetingTitle", e.title.into()),
            (
                "scheduledAt",
                local_time(e.scheduled_at, contact.language()).into(),
            ),
            ("location", e.location.into()),
            ("agenda", e.agenda.into()),
        ]);
        self.mail(&contact, TemplateType::PartnerMeetingInvitation, vars)
            .await
    }
}
