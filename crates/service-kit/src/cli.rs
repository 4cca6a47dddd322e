//! The command line every service shares under `batbern <service>`:
//! `batbern <service>` serves the API; `batbern <service> replay --since <time>`
//! republishes the outbox since a time; `batbern <service> openapi` prints the OpenAPI
//! document.

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::ServiceConfig;
use crate::server::ServiceSpec;

/// One service's command (serving when none is given).
#[derive(Args)]
pub struct ServiceArgs {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Republish every retained outbox event that occurred at or after SINCE (RFC 3339).
    Replay {
        #[arg(long)]
        since: chrono::DateTime<chrono::Utc>,
    },
    /// Print the OpenAPI document.
    Openapi,
}

/// Runs one service's command; `run` serves the API until the shutdown token fires.
pub async fn main<F, Fut>(
    cli: ServiceArgs,
    spec: ServiceSpec,
    default_port: u16,
    openapi: fn() -> utoipa::openapi::OpenApi,
    run: F,
) -> anyhow::Result<()>
where
    F: FnOnce(ServiceConfig, TcpListener, CancellationToken) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    if let Some(Command::Openapi) = cli.command {
        // A reader that stops early (`| head`) is not an error.
        return match writeln!(std::io::stdout(), "{}", openapi().to_pretty_json()?) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => Ok(written?),
        };
    }
    let config = match ServiceConfig::from_env(default_port) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let telemetry = crate::telemetry::init(config.log_format, config.traces.as_ref(), spec.name);
    let outcome = match cli.command {
        Some(Command::Replay { since }) => {
            let pool = crate::db::connect(&config.database_url, spec.schema, 2).await?;
            let mut conn = pool.acquire().await?;
            let count = event_bus::outbox::replay_since(&mut conn, since).await?;
            println!(
                "{count} events of {} will be republished by the running relay",
                spec.name
            );
            Ok(())
        }
        _ => {
            let listener = TcpListener::bind(config.bind)
                .await
                .with_context(|| format!("binding {}", config.bind))?;
            let (shutdown, grace) = (crate::server::shutdown_on_signal(), config.stop_grace);
            tokio::select! {
                outcome = run(config, listener, shutdown.clone()) => outcome,
                () = overdue(&shutdown, grace) => {
                    // A client holding a connection open, or a worker waiting on a peer that
                    // is gone, must not keep the process alive: what is left unfinished rolls
                    // back and is redone, as after a crash.
                    tracing::error!(
                        grace_secs = grace.as_secs(),
                        "not stopped within the stop grace; exiting with work unfinished"
                    );
                    std::process::exit(1);
                }
            }
        }
    };
    telemetry.shutdown().await;
    outcome
}

/// Resolves `grace` after the stop request: the process has had its chance to stop cleanly.
async fn overdue(shutdown: &CancellationToken, grace: Duration) {
    shutdown.cancelled().await;
    tokio::time::sleep(grace).await;
}
