//! Which partner an event concerns, for its webhooks: an employee's registration (the
//! attendee's company is a partner's), a partner's accepted topic suggestion, a partner's
//! meeting invitation. Each such event becomes one delivery per subscription that wants it,
//! in the inbox transaction; the webhook sender takes it from there.

use chrono::Utc;
use event_bus::{Envelope, ReactionError};
use serde_json::json;
use shared_domain::contracts::attendees::RegistrationStatusChanged;
use shared_domain::contracts::partners::{PartnerMeetingInvited, TopicSuggestionAccepted};
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::webhook::EVENT_TYPES;
use crate::store;

/// Queues the deliveries `envelope` makes; answers whether it was one webhooks carry.
pub async fn queue(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ReactionError> {
    if !EVENT_TYPES.contains(&envelope.event_type.as_str()) {
        return Ok(false);
    }
    let Some(partner_id) = concerned_partner(conn, envelope).await? else {
        return Ok(true);
    };
    // The Standard Webhooks payload shape.
    let body = json!({
        "type": envelope.event_type,
        "timestamp": envelope.time,
        "data": envelope.payload,
    });
    store::webhooks::enqueue(
        conn,
        partner_id,
        envelope.id,
        &envelope.event_type,
        &body,
        Utc::now(),
    )
    .await?;
    Ok(true)
}

async fn concerned_partner(
    conn: &mut PgConnection,
    envelope: &Envelope,
) -> Result<Option<Uuid>, ReactionError> {
    match envelope.event_type.as_str() {
        RegistrationStatusChanged::EVENT_TYPE => {
            let changed: RegistrationStatusChanged = envelope.decode()?;
            let Some(company_id) = changed.company_id else {
                return Ok(None);
            };
            Ok(store::partners::of_company(&mut *conn, company_id)
                .await?
                .map(|partner| partner.id))
        }
        PartnerMeetingInvited::EVENT_TYPE => {
            Ok(Some(envelope.decode::<PartnerMeetingInvited>()?.partner_id))
        }
        TopicSuggestionAccepted::EVENT_TYPE => Ok(Some(
            envelope.decode::<TopicSuggestionAccepted>()?.partner_id,
        )),
        _ => Ok(None),
    }
}
