//! The inbox: a reaction applies an event at most once. The inbox row `(event_id, handler)`
//! and everything the reaction writes commit in one transaction, so a redelivered event
//! finds its row and changes nothing. Several events may share one transaction (one commit
//! for many under load); then nothing of it is kept unless all of them are.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::{PgConnection, PgPool};
use tracing::{Instrument, Span};

use crate::envelope::Envelope;

/// Why a reaction failed. Every failure is retried with backoff; lost database connections
/// are retried until the database returns, other failures until the attempts run out.
#[derive(Debug, thiserror::Error)]
pub enum ReactionError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("payload of {event_type} could not be decoded: {message}")]
    Payload { event_type: String, message: String },
    #[error("{0}")]
    Refused(String),
}

impl From<crate::outbox::OutboxError> for ReactionError {
    fn from(error: crate::outbox::OutboxError) -> Self {
        match error {
            crate::outbox::OutboxError::Database(e) => Self::Database(e),
            other => Self::Refused(other.to_string()),
        }
    }
}

impl ReactionError {
    pub(crate) fn is_outage(&self) -> bool {
        matches!(
            self,
            Self::Database(
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
            )
        )
    }
}

/// A service's saga steps: reactions to consumed events. Runs inside the inbox transaction,
/// so everything it writes (state, new outbox rows) commits atomically with the inbox row.
#[async_trait]
pub trait Reaction: Send + Sync + 'static {
    /// The stable handler name, part of the inbox key.
    fn handler(&self) -> &'static str;
    /// Whether the reaction acts on events of `event_type`. The consumer passes the others
    /// by without a transaction or an inbox row: nothing of them is applied, so nothing can
    /// be applied twice. (Debug builds check that the reaction indeed writes nothing for
    /// them.)
    fn handles(&self, _event_type: &str) -> bool {
        true
    }
    /// Applies one event; events of types it does not know are ignored.
    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError>;
}

/// Outcome of applying one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The reaction ran and committed.
    Applied,
    /// The inbox already held the event; nothing was done.
    Duplicate,
    /// The reaction does not act on the event's type; nothing was written.
    Passed,
}

/// Applies `envelope` once for `reaction`: the inbox row and the reaction's writes commit
/// together, so a second delivery of the same event id is a no-op.
pub async fn apply(
    pool: &PgPool,
    reaction: &dyn Reaction,
    envelope: &Envelope,
) -> Result<Applied, ReactionError> {
    if !reaction.handles(&envelope.event_type) {
        return pass(pool, reaction, envelope).await;
    }
    let mut tx = pool.begin().await?;
    let applied = apply_within(&mut tx, reaction, envelope).await?;
    tx.commit().await?;
    Ok(applied)
}

/// Applies events of `run` in order in one transaction, each within its span, and commits
/// once `budget` has passed or all are applied: returns the outcomes of those committed (at
/// least one). Nothing is kept when any of them fails.
pub async fn apply_together(
    pool: &PgPool,
    reaction: &dyn Reaction,
    run: &[(&Envelope, &Span)],
    budget: Duration,
) -> Result<Vec<Applied>, ReactionError> {
    let started = Instant::now();
    // The transaction begins with the first event the reaction acts on.
    let mut tx = None;
    let mut outcomes = Vec::with_capacity(run.len());
    for (envelope, span) in run {
        let applied = if reaction.handles(&envelope.event_type) {
            let conn = match &mut tx {
                Some(tx) => tx,
                None => tx.insert(pool.begin().await?),
            };
            apply_within(conn, reaction, envelope)
                .instrument((*span).clone())
                .await?
        } else {
            pass(pool, reaction, envelope).await?
        };
        outcomes.push(applied);
        if started.elapsed() >= budget {
            break;
        }
    }
    if let Some(tx) = tx {
        tx.commit().await?;
    }
    Ok(outcomes)
}

/// Passes by an event the reaction does not act on. Debug builds check that claim: the
/// reaction runs in a transaction that is rolled back, and must not have written anything.
async fn pass(
    pool: &PgPool,
    reaction: &dyn Reaction,
    envelope: &Envelope,
) -> Result<Applied, ReactionError> {
    if cfg!(debug_assertions) {
        let mut tx = pool.begin().await?;
        reaction.react(&mut tx, envelope).await?;
        let wrote: Option<String> =
            sqlx::query_scalar("select pg_current_xact_id_if_assigned()::text")
                .fetch_one(&mut *tx)
                .await?;
        tx.rollback().await?;
        assert!(
            wrote.is_none(),
            "the reaction {} wrote for {}, a type it does not declare it handles",
            reaction.handler(),
            envelope.event_type
        );
    }
    Ok(Applied::Passed)
}

/// The inbox row of `envelope` and, when it is new, the reaction's writes, on `conn`.
async fn apply_within(
    conn: &mut PgConnection,
    reaction: &dyn Reaction,
    envelope: &Envelope,
) -> Result<Applied, ReactionError> {
    let fresh = sqlx::query("insert into inbox (event_id, handler, event_type, correlation_id) values ($1, $2, $3, $4) on conflict do nothing")
        .bind(envelope.id)
        .bind(reaction.handler())
        .bind(&envelope.event_type)
        .bind(&envelope.correlation_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if !fresh {
        return Ok(Applied::Duplicate);
    }
    let span = tracing::info_span!("react", otel.name = %format!("react {}", envelope.event_type), handler = reaction.handler());
    reaction.react(conn, envelope).instrument(span).await?;
    Ok(Applied::Applied)
}
