//! The companies service's consumer: the platform's role grants, the partner-status step of
//! the partners saga (a company's `isPartner` follows its partner's active state) and the
//! logo step of the content saga (see `logos`); each change is announced as `CompanyUpdated`
//! so every company read model follows.

use async_trait::async_trait;
use event_bus::{Envelope, EventContext, Reaction, ReactionError};
use shared_domain::contracts;
use shared_domain::contracts::content::{ContentDeleted, ContentUploaded};
use shared_domain::contracts::partners::PartnerChanged;
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;

use crate::{announce, store};

mod logos;

/// The consumer of the companies service.
pub struct CompaniesReactions;

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::events::RoleGranted::EVENT_TYPE,
    contracts::events::RoleRevoked::EVENT_TYPE,
    contracts::partners::PartnerChanged::EVENT_TYPE,
    contracts::content::ContentUploaded::EVENT_TYPE,
    contracts::content::ContentDeleted::EVENT_TYPE,
];

#[async_trait]
impl Reaction for CompaniesReactions {
    fn handler(&self) -> &'static str {
        "companies"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if service_kit::grants::record(conn, envelope).await? {
            return Ok(());
        }
        let context = EventContext::caused_by(envelope);
        match envelope.event_type.as_str() {
            PartnerChanged::EVENT_TYPE => {
                on_partner_changed(conn, envelope.decode()?, &context).await
            }
            ContentUploaded::EVENT_TYPE => {
                logos::on_content_uploaded(conn, envelope.decode()?, &context).await
            }
            ContentDeleted::EVENT_TYPE => {
                logos::on_content_deleted(conn, envelope.decode()?, &context).await
            }
            _ => Ok(()),
        }
    }
}

/// Sets the company's partner flag to the partner's active state when it differs.
async fn on_partner_changed(
    conn: &mut PgConnection,
    e: PartnerChanged,
    context: &EventContext,
) -> Result<(), ReactionError> {
    let Some(company) = store::lock_company(conn, e.company_id).await? else {
        return Ok(());
    };
    if company.is_partner == e.is_active {
        return Ok(());
    }
    store::set_partner(conn, e.company_id, e.is_active, e.changed_at).await?;
    announce_current(conn, company.id, context).await
}

/// Announces the company as stored now, inside the reaction's transaction.
async fn announce_current(
    conn: &mut PgConnection,
    company_id: uuid::Uuid,
    context: &EventContext,
) -> Result<(), ReactionError> {
    let company = store::lock_company(conn, company_id)
        .await?
        .ok_or_else(|| ReactionError::Refused(format!("company {company_id} vanished")))?;
    announce::company_updated(conn, &company, context).await?;
    Ok(())
}
