//! The companies service's consumer: the platform's role grants, and the partner-status
//! step of the partners saga (a company's `isPartner` follows its partner's active state,
//! announced as `CompanyUpdated` so every company read model follows too).

use async_trait::async_trait;
use event_bus::outbox::enqueue;
use event_bus::{Envelope, EventContext, Reaction, ReactionError};
use shared_domain::contracts::companies::CompanyUpdated;
use shared_domain::contracts::partners::PartnerChanged;
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;

use crate::store;

/// The consumer of the companies service.
pub struct CompaniesReactions;

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
        if envelope.event_type == PartnerChanged::EVENT_TYPE {
            let e: PartnerChanged = envelope.decode()?;
            follow_partner(conn, e, &EventContext::caused_by(envelope)).await?;
        }
        Ok(())
    }
}

/// Sets the company's partner flag to the partner's active state when it differs.
async fn follow_partner(
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
    let version = store::set_partner(conn, e.company_id, e.is_active, e.changed_at).await?;
    let updated = CompanyUpdated {
        company_id: company.id,
        name: company.name,
        display_name: company.display_name,
        is_partner: e.is_active,
        industry: company.industry,
        version,
        updated_at: e.changed_at,
    };
    enqueue(conn, &updated, context).await?;
    Ok(())
}
