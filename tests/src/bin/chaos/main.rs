//! Fault runs of every saga (`scripts/chaos --rounds N`): the fleet runs as processes; in
//! each cell a saga is started, one participant is killed with SIGKILL (or the broker is
//! killed, losing its log) at a random point while the saga is under way, and started again
//! (after a broker loss every outbox is replayed). The saga's effects, counted in the
//! services' tables and in mail read back from the SES endpoint, must then all be there,
//! none twice. Prints a table (saga × participant × rounds × lost × doubled × longest
//! recovery) and fails when anything was lost or doubled. The seed is printed so a run can
//! be repeated.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Parser;

mod fleet;
mod sagas;
mod table;

use fleet::ProcessFleet;
use sagas::{Run, Saga, Tally};
use table::{Outcome, Table};

/// The broker, as a victim.
const BROKER: &str = "broker";
/// A saga must be complete this long after its victim is back.
const RECOVERY_BOUND: Duration = Duration::from_secs(120);
/// How long effects are watched for doubles after a saga is complete.
const SETTLE: Duration = Duration::from_secs(2);

#[derive(Parser)]
#[command(
    about = "Kills saga participants and the broker mid-saga; counts lost and doubled effects"
)]
struct Args {
    /// Rounds over every saga and participant.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Seed of the kill points (random when not given).
    #[arg(long)]
    seed: Option<u64>,
    /// Only the sagas whose names contain this.
    #[arg(long)]
    only: Option<String>,
    /// Latest kill, in milliseconds after the saga is started (default: each saga's own).
    #[arg(long)]
    kill_window_ms: Option<u64>,
    /// Also kill the broker in a cell of each saga (its memory log and the groups' offsets
    /// are lost; every outbox is replayed).
    #[arg(long)]
    broker: bool,
    /// Where the services' logs go.
    #[arg(long, default_value = "/tmp/batbern-chaos")]
    logs: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    println!(
        "chaos: {} round(s), seed {seed} (repeat with --seed {seed}); logs in {}",
        args.rounds,
        args.logs.display()
    );
    let mut rng = fastrand::Rng::with_seed(seed);
    let sagas: Vec<Arc<dyn Saga>> = sagas::all()
        .into_iter()
        .filter(|s| {
            args.only
                .as_deref()
                .is_none_or(|only| s.name().contains(only))
        })
        .collect();
    let fleet = Arc::new(ProcessFleet::start(args.logs.clone()).await);
    let mut table = Table::default();
    let mut since = Utc::now();
    for round in 1..=args.rounds {
        for saga in &sagas {
            let broker = args.broker.then_some(BROKER);
            for victim in saga.participants().iter().copied().chain(broker) {
                let window = args
                    .kill_window_ms
                    .map_or(saga.kill_window(), Duration::from_millis);
                let kill_after = Duration::from_millis(rng.u64(0..=window.as_millis() as u64));
                let down_for = Duration::from_millis(rng.u64(0..=300));
                let started = Utc::now();
                let outcome = tokio::spawn(cell(
                    fleet.clone(),
                    saga.clone(),
                    victim,
                    kill_after,
                    down_for,
                    since,
                ))
                .await
                .unwrap_or_else(|failure| Outcome::failed(format!("{failure}")));
                println!(
                    "round {round:>2}  {:<18} {victim:<14} kill after {:>3} ms  {}",
                    saga.name(),
                    kill_after.as_millis(),
                    outcome.line()
                );
                table.record(saga.name(), victim, outcome);
                since = started;
            }
        }
    }
    fleet.stop();
    println!();
    table.print();
    if table.clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One cell: prepare an instance of `saga`, start it, kill `victim` after `kill_after`,
/// start it again after `down_for`, then wait for the saga's effects and watch them for
/// doubles.
async fn cell(
    fleet: Arc<ProcessFleet>,
    saga: Arc<dyn Saga>,
    victim: &'static str,
    kill_after: Duration,
    down_for: Duration,
    replay_since: DateTime<Utc>,
) -> Outcome {
    let mut restarted = match supervise(&fleet).await {
        Ok(crashed) => crashed,
        Err(failure) => return Outcome::failed(failure),
    };
    let run: Arc<dyn Run> = Arc::from(saga.prepare(&fleet).await);
    let trigger = tokio::spawn({
        let (run, fleet) = (run.clone(), fleet.clone());
        async move { run.trigger(&fleet).await }
    });
    tokio::time::sleep(kill_after).await;
    if victim == BROKER {
        fleet.kill_broker();
    } else {
        fleet.kill(victim);
    }
    let mid_saga = !run.tally(&fleet).await.complete();
    tokio::time::sleep(down_for).await;
    if victim == BROKER {
        fleet.restart_broker(replay_since).await;
    } else {
        fleet.restart(victim).await;
    }
    let back = Instant::now();
    if let Err(failure) = trigger.await {
        return Outcome::failed(format!("the saga could not be started: {failure}"));
    }
    let mut tally: Tally;
    loop {
        tally = run.tally(&fleet).await;
        if tally.complete() || back.elapsed() > RECOVERY_BOUND {
            break;
        }
        match supervise(&fleet).await {
            Ok(crashed) => restarted += crashed,
            Err(failure) => return Outcome::failed(failure),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let recovery = back.elapsed();
    tokio::time::sleep(SETTLE).await;
    let settled = run.tally(&fleet).await;
    match supervise(&fleet).await {
        Ok(crashed) => restarted += crashed,
        Err(failure) => return Outcome::failed(failure),
    }
    run.finish(&fleet).await;
    Outcome::counted(
        mid_saga,
        settled.lost(),
        settled.doubled.max(tally.doubled),
        settled.resent.max(tally.resent),
        restarted,
        recovery,
    )
}

/// Starts again every service that ended by itself, as an orchestrator does. A crash of
/// the Kafka client in the aftermath of a broker loss (a known defect of librdkafka 2.12.1,
/// docs/operations.md) is counted; any other end fails the cell.
async fn supervise(fleet: &ProcessFleet) -> Result<usize, String> {
    let ended = fleet.exited().await;
    let failures: Vec<String> = ended
        .iter()
        .filter(|e| !e.after_broker_loss)
        .map(|e| e.describe())
        .collect();
    if failures.is_empty() {
        Ok(ended.len())
    } else {
        Err(failures.join("; "))
    }
}
