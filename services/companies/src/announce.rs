//! `CompanyUpdated` as every change announces it (an edit, the partner flag, the logo): the
//! company's whole directory state as stored after the change, so no path forgets a field.

use event_bus::outbox::{enqueue, OutboxError};
use event_bus::EventContext;
use shared_domain::contracts::companies::CompanyUpdated;
use sqlx::PgConnection;

use crate::store::CompanyRecord;

/// Announces `company` as it is now (read back after the change, in the same transaction).
pub async fn company_updated(
    conn: &mut PgConnection,
    company: &CompanyRecord,
    context: &EventContext,
) -> Result<(), OutboxError> {
    let updated = CompanyUpdated {
        company_id: company.id,
        name: company.name.clone(),
        display_name: company.display_name.clone(),
        is_partner: company.is_partner,
        industry: company.industry.clone(),
        logo_url: company.logo_url(),
        version: company.version,
        // The stored stamp of the last change: read models that order the company's
        // announcements by it see the same order as the version.
        updated_at: company.updated_at,
    };
    enqueue(conn, &updated, context).await?;
    Ok(())
}
