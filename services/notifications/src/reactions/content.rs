//! What the content context's events call for: a storage quota warning is mailed to the
//! person whose storage it is (a speaker or attendee as themselves, a partner integration
//! through its partner's primary contact). A warning for nobody this context can mail is
//! logged and dropped; the inbox makes a redelivered warning mail nothing more.

use shared_domain::contracts::content::StorageQuotaWarning;

use super::{variables, Step, StepError};
use crate::domain::quota::{holders, QuotaFigures, QuotaHolder};
use crate::domain::TemplateType;
use crate::store::directory::{self, RecipientRow};

impl Step<'_> {
    pub(super) async fn on_storage_quota_warning(
        mut self,
        e: StorageQuotaWarning,
    ) -> Result<(), StepError> {
        let Some(holder) = self.quota_holder(&e).await? else {
            tracing::info!(quota = %e.quota_id, "storage quota warning for nobody known here; not mailed");
            return Ok(());
        };
        let figures = QuotaFigures::of(e.usage_bytes, e.limit_bytes, e.percentage_used);
        let vars = variables([
            ("usage", figures.usage.into()),
            ("limit", figures.limit.into()),
            ("percentage", figures.percentage.into()),
        ]);
        self.mail(&holder, TemplateType::StorageQuotaWarning, vars)
            .await
    }

    /// The first of the warning's holders this context can mail.
    async fn quota_holder(
        &mut self,
        e: &StorageQuotaWarning,
    ) -> Result<Option<RecipientRow>, StepError> {
        for holder in holders(e.speaker_id, e.attendee_id, e.company_id) {
            let found = match holder {
                QuotaHolder::Person(id) => directory::fetch_recipient(self.conn, id).await?,
                QuotaHolder::PartnerOf(company) => {
                    directory::primary_partner_contact(self.conn, company).await?
                }
            };
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}
