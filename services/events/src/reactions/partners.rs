//! The partner-votes saga on the events side: partners' votes keep each topic's partner
//! influence score (tier-weighted, 0–100, `domain::topic::partner_influence`), a partner's
//! new tier re-weights its votes, and an accepted topic suggestion adds its topic to the
//! library. Every change of a topic is announced (`TopicChanged`), so the partners context
//! sees the score its votes produced.

use chrono::{DateTime, Utc};
use event_bus::{Envelope, EventContext, ReactionError};
use shared_domain::contracts::partners::{
    PartnerChanged, TopicSuggestionAccepted, TopicVoteCast, TopicVoteWithdrawn,
};
use shared_domain::{IntegrationEvent, Parse};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::announce;
use crate::domain::topic::{partner_influence, TopicCategory, TopicFields, TopicVote};
use crate::store;

/// Applies a partners event; false for any other event.
pub async fn apply(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ReactionError> {
    let context = EventContext::caused_by(envelope);
    match envelope.event_type.as_str() {
        TopicVoteCast::EVENT_TYPE => {
            let e: TopicVoteCast = envelope.decode()?;
            let Some(tier) = e.tier.get() else {
                return Err(ReactionError::Refused(format!("unknown tier {}", e.tier)));
            };
            let vote = TopicVote {
                tier,
                value: e.value,
            };
            if store::votes::cast(conn, e.topic_id, e.partner_id, vote, e.cast_at).await? {
                rescore(conn, e.topic_id, e.cast_at, &context).await?;
            }
        }
        TopicVoteWithdrawn::EVENT_TYPE => {
            let e: TopicVoteWithdrawn = envelope.decode()?;
            store::votes::withdraw(conn, e.topic_id, e.partner_id, e.withdrawn_at).await?;
            rescore(conn, e.topic_id, e.withdrawn_at, &context).await?;
        }
        PartnerChanged::EVENT_TYPE => {
            let e: PartnerChanged = envelope.decode()?;
            if let Some(tier) = e.tier.get() {
                let topics = store::votes::retier(conn, e.partner_id, tier, e.changed_at).await?;
                for topic_id in topics {
                    rescore(conn, topic_id, e.changed_at, &context).await?;
                }
            }
        }
        TopicSuggestionAccepted::EVENT_TYPE => {
            let e: TopicSuggestionAccepted = envelope.decode()?;
            add_suggested_topic(conn, e, &context).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Recomputes a topic's score from its votes and announces the topic when it moved.
async fn rescore(
    conn: &mut PgConnection,
    topic_id: Uuid,
    at: DateTime<Utc>,
    context: &EventContext,
) -> Result<(), ReactionError> {
    let Some(topic) = store::topics::lock_topic(conn, topic_id).await? else {
        return Ok(());
    };
    let score = partner_influence(&store::votes::of_topic(conn, topic_id).await?);
    if score != topic.partner_influence_score {
        store::topics::update_partner_influence(conn, topic_id, score, at).await?;
        announce::topic(conn, topic_id, at, context).await?;
    }
    Ok(())
}

/// Adds the topic of an accepted suggestion to the library under the id the partners
/// context chose (once; a redelivery finds it there).
async fn add_suggested_topic(
    conn: &mut PgConnection,
    e: TopicSuggestionAccepted,
    context: &EventContext,
) -> Result<(), ReactionError> {
    if store::topics::fetch_topic(&mut *conn, e.topic_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let category: TopicCategory = serde_json::from_value(serde_json::Value::String(e.category))
        .map_err(|error| ReactionError::Refused(format!("topic category: {error}")))?;
    let fields = TopicFields {
        title: e.title,
        description: e.description,
        category,
        is_active: true,
    }
    .into_valid()
    .map_err(|errors| ReactionError::Refused(format!("suggested topic: {errors:?}")))?;
    store::topics::insert_topic(conn, e.topic_id, &fields, e.accepted_at).await?;
    announce::topic(conn, e.topic_id, e.accepted_at, context).await?;
    Ok(())
}
