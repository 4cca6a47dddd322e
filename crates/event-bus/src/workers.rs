//! Supervised background workers: the outbox relay, the consumer and any service-specific
//! loop (the notifications scheduler). Each worker beats a [`Heartbeat`] while it makes
//! progress, and a consumer also reports whether it holds a group assignment. A worker
//! that returns or panics is restarted with backoff. Readiness and `/metrics` read the same
//! registry, so a worker that is down, stalled or outside its group is named there instead
//! of the service answering ready while it does nothing.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use prometheus::{register_int_counter_vec, register_int_gauge_vec, IntCounterVec, IntGaugeVec};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

static WORKER_UP: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "worker_up",
        "1 when the background worker runs, beats and (for consumers) holds its group assignment",
        &["worker"]
    )
    .unwrap()
});

/// `worker_restarts_total{worker}`: restarts of a supervised worker.
pub static WORKER_RESTARTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "worker_restarts_total",
        "Restarts of a background worker after it stopped or panicked",
        &["worker"]
    )
    .unwrap()
});

/// First delay before a stopped worker is started again; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A worker that ran this long before stopping starts again after the first delay.
const STABLE_RUN: Duration = Duration::from_secs(60);

/// The workers of one service process and what each last reported.
#[derive(Clone)]
pub struct Workers {
    states: Arc<Mutex<BTreeMap<String, WorkerState>>>,
    stall_after: Duration,
}

#[derive(Debug, Clone)]
struct WorkerState {
    running: bool,
    last_beat: Instant,
    /// `Some` for consumers: whether the group assigned partitions to it.
    joined: Option<bool>,
    last_error: Option<String>,
}

/// Why a worker keeps the service from being ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerIssue {
    /// It stopped or panicked and waits to be restarted.
    Down(String),
    /// It has not beaten for longer than the stall bound.
    Stalled(Duration),
    /// A consumer without a group assignment.
    NotInGroup,
}

impl std::fmt::Display for WorkerIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Down(reason) => write!(f, "down: {reason}"),
            Self::Stalled(silent) => write!(f, "stalled: no progress for {}s", silent.as_secs()),
            Self::NotInGroup => write!(f, "not in its consumer group"),
        }
    }
}

/// How often [`Heartbeat::idle`] beats while it waits.
pub const IDLE_BEAT: Duration = Duration::from_secs(1);

/// What a worker reports while it runs; cheap to clone.
#[derive(Clone)]
pub struct Heartbeat {
    name: Arc<str>,
    workers: Workers,
}

impl Heartbeat {
    /// Records progress (call at least once per stall bound while healthy, idle included).
    pub fn beat(&self) {
        self.workers
            .update(&self.name, |state| state.last_beat = Instant::now());
    }

    /// Waits `period` while beating every [`IDLE_BEAT`], so that a worker that is only
    /// waiting for its next round stays healthy however long the wait; answers false when
    /// `shutdown` fired first. A worker stuck in its work still stops beating.
    pub async fn idle(&self, period: Duration, shutdown: &CancellationToken) -> bool {
        let until = Instant::now() + period;
        loop {
            self.beat();
            let step = until
                .saturating_duration_since(Instant::now())
                .min(IDLE_BEAT);
            if step.is_zero() {
                return true;
            }
            tokio::select! {
                _ = shutdown.cancelled() => return false,
                _ = tokio::time::sleep(step) => {}
            }
        }
    }

    /// Records whether a consumer holds a group assignment.
    pub fn set_joined(&self, joined: bool) {
        self.workers.update(&self.name, |state| {
            state.joined = Some(joined);
            state.last_beat = Instant::now();
        });
    }

    /// The worker's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Workers {
    /// An empty registry; a worker silent for longer than `stall_after` counts as stalled.
    pub fn new(stall_after: Duration) -> Self {
        Self {
            states: Arc::default(),
            stall_after,
        }
    }

    fn update(&self, name: &str, change: impl FnOnce(&mut WorkerState)) {
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(state) = states.get_mut(name) {
            change(state);
        }
    }

    /// Registers a worker the caller runs itself (without restarts) and returns its
    /// heartbeat; [`Workers::supervise`] registers the workers it runs.
    pub fn register(&self, name: &str, consumer: bool) -> Heartbeat {
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        states.insert(
            name.to_owned(),
            WorkerState {
                running: true,
                last_beat: Instant::now(),
                joined: consumer.then_some(false),
                last_error: None,
            },
        );
        Heartbeat {
            name: name.into(),
            workers: self.clone(),
        }
    }

    /// Every worker with its issue, `None` for a healthy one; also refreshes `worker_up`.
    pub fn report(&self) -> BTreeMap<String, Option<WorkerIssue>> {
        let states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        let report: BTreeMap<String, Option<WorkerIssue>> = states
            .iter()
            .map(|(name, state)| (name.clone(), self.issue(state)))
            .collect();
        for (name, issue) in &report {
            WORKER_UP
                .with_label_values(&[name])
                .set(i64::from(issue.is_none()));
        }
        report
    }

    fn issue(&self, state: &WorkerState) -> Option<WorkerIssue> {
        if !state.running {
            let reason = state.last_error.clone().unwrap_or_else(|| "stopped".into());
            return Some(WorkerIssue::Down(reason));
        }
        let silent = state.last_beat.elapsed();
        if silent > self.stall_after {
            return Some(WorkerIssue::Stalled(silent));
        }
        (state.joined == Some(false)).then_some(WorkerIssue::NotInGroup)
    }

    /// Runs the worker `make` builds under supervision in `tasks` until `shutdown`: when
    /// it returns or panics before shutdown, it is reported down and built again after a
    /// growing delay. `consumer` workers are not healthy until they report a group
    /// assignment.
    pub fn supervise<F, Fut>(
        &self,
        tasks: &mut JoinSet<()>,
        name: &str,
        consumer: bool,
        shutdown: CancellationToken,
        mut make: F,
    ) where
        F: FnMut(Heartbeat) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let heartbeat = self.register(name, consumer);
        let workers = self.clone();
        tasks.spawn(async move {
            let mut backoff = FIRST_BACKOFF;
            loop {
                let started = Instant::now();
                // The worker runs in a set of its own so that aborting the supervisor (a
                // crashed service in tests) aborts the worker too.
                let mut run = JoinSet::new();
                run.spawn(make(heartbeat.clone()));
                let outcome = run.join_next().await;
                if shutdown.is_cancelled() {
                    return;
                }
                let reason = match outcome {
                    Some(Ok(Ok(()))) => "returned without being asked to stop".to_owned(),
                    Some(Ok(Err(error))) => error,
                    Some(Err(join)) if join.is_panic() => format!("panicked: {}", panic_text(join)),
                    Some(Err(join)) => join.to_string(),
                    None => "never started".to_owned(),
                };
                if started.elapsed() > STABLE_RUN {
                    backoff = FIRST_BACKOFF;
                }
                WORKER_RESTARTS.with_label_values(&[heartbeat.name()]).inc();
                tracing::error!(worker = heartbeat.name(), %reason, retry_in_ms = backoff.as_millis() as u64, "worker stopped; restarting");
                workers.update(heartbeat.name(), |state| {
                    state.running = false;
                    state.last_error = Some(reason);
                });
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                workers.update(heartbeat.name(), |state| {
                    state.running = true;
                    state.last_beat = Instant::now();
                    if state.joined.is_some() {
                        state.joined = Some(false);
                    }
                });
            }
        });
    }
}

fn panic_text(join: tokio::task::JoinError) -> String {
    let payload = join.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !check() {
            assert!(Instant::now() < deadline, "not within 5 s: {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn a_panicking_worker_is_reported_down_and_started_again() {
        let workers = Workers::new(Duration::from_secs(5));
        let (mut tasks, shutdown) = (JoinSet::new(), CancellationToken::new());
        let starts = Arc::new(AtomicU32::new(0));
        let counted = starts.clone();
        workers.supervise(&mut tasks, "flaky", false, shutdown.clone(), move |beat| {
            let run = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                beat.beat();
                if run == 0 {
                    panic!("first run fails");
                }
                std::future::pending::<Result<(), String>>().await
            }
        });
        eventually("the worker is started a second time", || {
            starts.load(Ordering::SeqCst) == 2
        })
        .await;
        assert_eq!(workers.report()["flaky"], None);
        assert!(WORKER_RESTARTS.with_label_values(&["flaky"]).get() >= 1);
        shutdown.cancel();
        tasks.abort_all();
    }

    #[tokio::test]
    async fn a_worker_that_stops_is_named_down_with_its_reason() {
        let workers = Workers::new(Duration::from_secs(5));
        let (mut tasks, shutdown) = (JoinSet::new(), CancellationToken::new());
        workers.supervise(&mut tasks, "broken", false, shutdown.clone(), |_| async {
            Err("cannot reach the broker".to_owned())
        });
        eventually("the worker is reported down", || {
            matches!(&workers.report()["broken"], Some(WorkerIssue::Down(r)) if r == "cannot reach the broker")
        })
        .await;
        shutdown.cancel();
    }

    #[tokio::test]
    async fn a_silent_worker_is_stalled_until_it_beats_again() {
        let workers = Workers::new(Duration::from_millis(100));
        let (mut tasks, shutdown) = (JoinSet::new(), CancellationToken::new());
        let (tx, rx) = tokio::sync::watch::channel(false);
        workers.supervise(&mut tasks, "slow", false, shutdown.clone(), move |beat| {
            let mut rx = rx.clone();
            async move {
                let _ = rx.wait_for(|go| *go).await;
                loop {
                    beat.beat();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        });
        eventually("the silent worker is stalled", || {
            matches!(workers.report()["slow"], Some(WorkerIssue::Stalled(_)))
        })
        .await;
        tx.send(true).unwrap();
        eventually("the worker recovers", || workers.report()["slow"].is_none()).await;
        shutdown.cancel();
        tasks.abort_all();
    }

    /// A worker whose rounds lie further apart than the stall bound (a calendar checked once
    /// a minute) is healthy while it waits for the next one.
    #[tokio::test]
    async fn a_worker_waiting_longer_than_the_stall_bound_for_its_next_round_stays_healthy() {
        let workers = Workers::new(IDLE_BEAT + Duration::from_millis(500));
        let (mut tasks, shutdown) = (JoinSet::new(), CancellationToken::new());
        let stop = shutdown.clone();
        workers.supervise(
            &mut tasks,
            "calendar",
            false,
            shutdown.clone(),
            move |beat| {
                let stop = stop.clone();
                async move {
                    while beat.idle(Duration::from_secs(60), &stop).await {}
                    Ok(())
                }
            },
        );
        let watched = Instant::now();
        while watched.elapsed() < IDLE_BEAT * 3 {
            assert_eq!(workers.report()["calendar"], None);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        shutdown.cancel();
        while tasks.join_next().await.is_some() {}
    }

    #[tokio::test]
    async fn a_consumer_is_not_healthy_until_it_holds_an_assignment() {
        let workers = Workers::new(Duration::from_secs(5));
        let (mut tasks, shutdown) = (JoinSet::new(), CancellationToken::new());
        let (tx, rx) = tokio::sync::watch::channel(false);
        workers.supervise(
            &mut tasks,
            "consumer",
            true,
            shutdown.clone(),
            move |beat| {
                let mut rx = rx.clone();
                async move {
                    let _ = rx.wait_for(|joined| *joined).await;
                    beat.set_joined(true);
                    std::future::pending::<Result<(), String>>().await
                }
            },
        );
        assert_eq!(workers.report()["consumer"], Some(WorkerIssue::NotInGroup));
        tx.send(true).unwrap();
        eventually("the consumer is healthy", || {
            workers.report()["consumer"].is_none()
        })
        .await;
        shutdown.cancel();
        tasks.abort_all();
    }
}
