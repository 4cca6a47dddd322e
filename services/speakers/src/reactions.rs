//! The speakers service's read models: companies (a speaker's company must be known and
//! active), sessions (speakers are invited only to known, live sessions) and events (what
//! an invitation shows of the event).

use async_trait::async_trait;
use event_bus::{Envelope, Reaction, ReactionError};
use shared_domain::contracts::events::{
    EventDetailsChanged, SessionCancelled, SessionCreated, SessionUpdated,
};
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;

use crate::store;

/// The consumer of the speakers service.
pub struct SpeakersReactions;

#[async_trait]
impl Reaction for SpeakersReactions {
    fn handler(&self) -> &'static str {
        "speakers"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if service_kit::grants::record(conn, envelope).await? {
            return Ok(());
        }
        match envelope.event_type.as_str() {
            EventDetailsChanged::EVENT_TYPE => Ok(store::events::upsert_event(
                conn,
                &envelope.decode::<EventDetailsChanged>()?,
            )
            .await?),
            SessionCreated::EVENT_TYPE => Ok(store::sessions::upsert_session(
                conn,
                &envelope.decode::<SessionCreated>()?.session,
            )
            .await?),
            SessionUpdated::EVENT_TYPE => Ok(store::sessions::upsert_session(
                conn,
                &envelope.decode::<SessionUpdated>()?.session,
            )
            .await?),
            SessionCancelled::EVENT_TYPE => {
                let cancelled: SessionCancelled = envelope.decode()?;
                Ok(store::sessions::cancel_session(
                    conn,
                    cancelled.session_id,
                    cancelled.cancelled_at,
                )
                .await?)
            }
            _ => service_kit::directory::apply_company_event(conn, envelope)
                .await
                .map(|_| ()),
        }
    }
}
