//! What the partners context announces of a partner (from the handlers and the scheduler)
//! and of a contact.

use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::EventContext;
use service_kit::{person_keys, ApiError};
use shared_domain::contracts::partners::{PartnerChanged, PartnerContactChanged};
use shared_domain::contracts::{Identity, Known};
use sqlx::PgConnection;

use crate::domain::contact::ContactLanguage;
use crate::store::contacts::ContactRecord;
use crate::store::partners::PartnerRecord;

/// Announces a partner as it is now.
pub async fn partner(
    conn: &mut PgConnection,
    p: &PartnerRecord,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let changed = PartnerChanged {
        partner_id: p.id,
        company_id: p.company_id,
        tier: Known::from(p.tier()),
        is_active: p.is_active,
        start_date: p
            .partnership_start_date
            .and_time(chrono::NaiveTime::MIN)
            .and_utc(),
        end_date: p
            .partnership_end_date
            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()),
        version: p.version,
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    Ok(())
}

/// Announces a contact's details; who they are travels sealed with their key.
pub async fn contact(
    conn: &mut PgConnection,
    c: &ContactRecord,
    now: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ApiError> {
    let identity = Identity {
        email: c.email.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
    };
    let language = match *c.language {
        ContactLanguage::De => shared_domain::contracts::Language::De,
        ContactLanguage::En => shared_domain::contracts::Language::En,
    };
    let changed = PartnerContactChanged {
        contact_id: c.id,
        partner_id: c.partner_id,
        identity: person_keys::seal(conn, c.id, &identity).await?,
        language: Known::from(language),
        is_primary: c.is_primary,
        changed_at: now,
    };
    enqueue(conn, &changed, context).await?;
    Ok(())
}
