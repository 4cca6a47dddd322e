//! The notifications service's clock-driven work, on every tick: deadline reminders and
//! escalations, digests that are due, then delivery of every mail whose time has come.
//! Its progress lives in the database (tiers sent per obligation, digested rows, the
//! delivery status of each mail), committed with the mails it logs, so a restart repeats
//! no reminder, escalation or digest (delivery itself is at least once; see `delivery`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use event_bus::Heartbeat;
use serde_json::{json, Map, Value};
use sqlx::{Connection, PgConnection, PgPool};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::compose::{notify, ComposeError, Notice};
use crate::delivery::{deliver_next, Mailer};
use crate::domain::escalation::{reminder_template, Step, Tiers};
use crate::domain::schedule::digest_due;
use crate::domain::template::local_time;
use crate::domain::{Frequency, TemplateType};
use crate::metrics::PARKED_EVENTS;
use crate::reactions::{NotificationsReactions, StepError};
use crate::store::obligations::{self, Watched};
use crate::store::{deferred, directory, log};

/// Most mails sent in one tick before the other duties get their turn.
const MAILS_PER_TICK: usize = 500;
/// Most parked events applied again in one tick.
const PARKED_PER_TICK: i64 = 200;

/// The scheduler of one service instance; replicas share the work through row locks.
pub struct Scheduler {
    pub pool: PgPool,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    /// Applies parked events again.
    pub reactions: Arc<NotificationsReactions>,
    pub poll_interval: std::time::Duration,
    pub max_attempts: i32,
}

impl Scheduler {
    /// Ticks until `shutdown`; a tick in progress finishes its duty at hand, and its
    /// delivery the mail in flight. Beats `heartbeat` while it waits for the next tick,
    /// however long the poll interval.
    pub async fn run(&self, shutdown: CancellationToken, heartbeat: Heartbeat) {
        loop {
            self.tick(&shutdown).await;
            if !heartbeat.idle(self.poll_interval, &shutdown).await {
                break;
            }
        }
    }

    /// One round of parked events, escalation, digests and delivery; a duty that fails is
    /// logged and does not hold up the others. Once `shutdown` fires, delivery takes no
    /// further mail.
    pub async fn tick(&self, shutdown: &CancellationToken) {
        let duties = [
            ("parked events", self.apply_parked().await),
            ("escalation", self.escalate().await),
            ("digests", self.assemble_digests().await),
            ("delivery", self.deliver(shutdown).await),
        ];
        for (duty, outcome) in duties {
            if let Err(error) = outcome {
                tracing::warn!(duty, %error, "scheduler duty failed; next tick retries");
            }
        }
    }

    /// Applies due parked events whose read models may have caught up, each all or nothing.
    async fn apply_parked(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let due = deferred::lock_due(&mut tx, Utc::now(), PARKED_PER_TICK).await?;
        for (event_id, envelope) in due {
            let mut step = tx.begin().await?;
            match self.reactions.apply(&mut step, &envelope).await {
                Ok(()) => {
                    deferred::unpark(&mut step, event_id).await?;
                    step.commit().await?;
                }
                Err(error) => {
                    step.rollback().await?;
                    if let StepError::Failed(error) = &error {
                        tracing::warn!(%event_id, %error, "parked event failed; retried next tick");
                    }
                    deferred::record_retry(&mut tx, event_id, &error.to_string(), Utc::now())
                        .await?;
                }
            }
        }
        PARKED_EVENTS.set(deferred::count(&mut tx).await?);
        tx.commit().await
    }

    async fn escalate(&self) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        for watched in obligations::lock_watched(&mut tx).await? {
            let tiers = Tiers {
                tier_1_hours: watched.tier_1_hours_before,
                tier_2_hours: watched.tier_2_hours_before,
                tier_3_hours: watched.tier_3_hours_before,
                threshold_minutes: watched.escalation_threshold,
            };
            // Each obligation's mails and progress commit together or not at all.
            let mut step = tx.begin().await?;
            let outcome = match tiers.next_step(watched.deadline, watched.tiers_sent, false, now) {
                Step::Remind { tier } => remind(&mut step, &watched, tier, now).await,
                Step::Escalate => alert_backups(&mut step, &watched, now).await,
                Step::Wait => Ok(()),
            };
            match outcome {
                Ok(()) => step.commit().await?,
                Err(ComposeError::Database(error)) => return Err(error),
                Err(ComposeError::Template(error)) => {
                    step.rollback().await?;
                    tracing::error!(assignment = %watched.assignment_id, %error, "reminder not composed; retried next tick");
                }
            }
        }
        tx.commit().await
    }

    async fn assemble_digests(&self) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        let mut conn = self.pool.acquire().await?;
        for (user_id, frequency, since) in log::held_groups(&mut conn).await? {
            let parsed: Frequency = *frequency;
            if now < digest_due(parsed, since) {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            match send_digest(&mut tx, user_id, parsed, now).await {
                Err(ComposeError::Database(error)) => return Err(error),
                Err(ComposeError::Template(error)) => {
                    tracing::error!(%user_id, %error, "digest not composed; retried next tick");
                }
                Ok(()) => tx.commit().await?,
            }
        }
        Ok(())
    }

    /// Sends up to [`MAILS_PER_TICK`] due mails, one after the other. A stop request ends
    /// it after the mail in flight: with SES unreachable each mail takes seconds (the SDK's
    /// retries), and a backlog would otherwise hold the stop for minutes; the rest stays
    /// pending for the next start.
    async fn deliver(&self, shutdown: &CancellationToken) -> Result<(), sqlx::Error> {
        for _ in 0..MAILS_PER_TICK {
            if shutdown.is_cancelled() {
                break;
            }
            // Its own task: cancelling the scheduler never cuts a mail off between SES and
            // the record of its outcome.
            let delivery = tokio::spawn(deliver_next(
                self.pool.clone(),
                self.mailer.clone(),
                self.clock.now(),
                self.max_attempts,
            ));
            match delivery.await {
                Ok(Ok(true)) => continue,
                Ok(Ok(false)) => break,
                Ok(Err(error)) => return Err(error),
                Err(panic) => {
                    tracing::error!(%panic, "delivery task failed");
                    break;
                }
            }
        }
        Ok(())
    }
}

async fn remind(
    conn: &mut PgConnection,
    watched: &Watched,
    tier: i32,
    now: DateTime<Utc>,
) -> Result<(), ComposeError> {
    if let Some(speaker) = directory::fetch_recipient(conn, watched.speaker_id).await? {
        let session_title = directory::session_title(conn, watched.session_id)
            .await?
            .unwrap_or_default();
        let hours_left = ((watched.deadline - now).num_minutes().max(0) + 59) / 60;
        let mut variables = Map::new();
        variables.insert("sessionTitle".into(), session_title.into());
        variables.insert(
            "deadline".into(),
            local_time(watched.deadline, speaker.language()).into(),
        );
        variables.insert("hoursLeft".into(), hours_left.into());
        let notice = Notice {
            template_type: reminder_template(tier),
            variables,
            cause: json!({ "assignmentId": watched.assignment_id, "tier": tier }),
        };
        notify(conn, &speaker, notice, now).await?;
    }
    obligations::record_tier(conn, watched.assignment_id, tier, now).await?;
    Ok(())
}

async fn alert_backups(
    conn: &mut PgConnection,
    watched: &Watched,
    now: DateTime<Utc>,
) -> Result<(), ComposeError> {
    let speaker = directory::fetch_recipient(conn, watched.speaker_id).await?;
    let session_title = directory::session_title(conn, watched.session_id)
        .await?
        .unwrap_or_default();
    for organizer_id in &watched.backup_organizer_ids {
        let Some(organizer) = directory::fetch_recipient(conn, *organizer_id).await? else {
            tracing::warn!(%organizer_id, "backup organizer without a contact is not alerted");
            continue;
        };
        let mut variables = Map::new();
        variables.insert(
            "speakerName".into(),
            speaker
                .as_ref()
                .map_or(String::new(), |s| s.display_name.clone())
                .into(),
        );
        variables.insert(
            "speakerEmail".into(),
            speaker
                .as_ref()
                .map_or(String::new(), |s| s.email.clone())
                .into(),
        );
        variables.insert("sessionTitle".into(), session_title.clone().into());
        variables.insert(
            "deadline".into(),
            local_time(watched.deadline, organizer.language()).into(),
        );
        let notice = Notice {
            template_type: TemplateType::DeadlineEscalation,
            variables,
            cause: json!({ "assignmentId": watched.assignment_id, "escalation": true }),
        };
        notify(conn, &organizer, notice, now).await?;
    }
    obligations::record_escalation(conn, watched.assignment_id, now).await?;
    Ok(())
}

async fn send_digest(
    conn: &mut PgConnection,
    user_id: uuid::Uuid,
    frequency: Frequency,
    now: DateTime<Utc>,
) -> Result<(), ComposeError> {
    let held = log::take_held(conn, user_id, frequency).await?;
    if held.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = held.iter().map(|(id, _, _)| *id).collect();
    let Some(recipient) = directory::fetch_recipient(conn, user_id).await? else {
        for id in &ids {
            log::mark_suppressed(conn, *id, "the recipient is no longer known", now).await?;
        }
        return Ok(());
    };
    let items: Vec<Value> = held
        .into_iter()
        .map(|(_, subject, text)| json!({ "subject": subject, "text": text }))
        .collect();
    let period = match frequency {
        Frequency::WeeklyDigest => "weekly",
        Frequency::DailyDigest | Frequency::Immediate => "daily",
    };
    let mut variables = Map::new();
    variables.insert("period".into(), period.into());
    variables.insert("items".into(), Value::Array(items));
    let notice = Notice {
        template_type: TemplateType::Digest,
        variables,
        cause: json!({ "digestOf": ids }),
    };
    let digest_id = notify(conn, &recipient, notice, now).await?;
    log::mark_digested(conn, &ids, digest_id, now).await?;
    Ok(())
}
