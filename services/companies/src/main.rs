//! `companies` serves the API; `companies replay --since <time>` republishes the outbox
//! since a time; `companies openapi` prints the OpenAPI document.

use anyhow::Context;
use clap::{Parser, Subcommand};
use service_kit::config::ServiceConfig;

#[derive(Parser)]
#[command(about = "BATbern companies service")]
struct Cli {
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        println!("{}", companies::api::openapi().to_pretty_json()?);
        return Ok(());
    }
    let config = match ServiceConfig::from_env(companies::DEFAULT_PORT) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    service_kit::telemetry::init(config.log_format);
    match cli.command {
        Some(Command::Replay { since }) => {
            let pool = service_kit::db::connect(&config.database_url, companies::SPEC.schema, 2).await?;
            let mut conn = pool.acquire().await?;
            let count = event_bus::outbox::replay_since(&mut conn, since).await?;
            println!("{count} events will be republished by the running relay");
            Ok(())
        }
        _ => {
            let listener = tokio::net::TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
            companies::run(config, listener, service_kit::server::shutdown_on_signal()).await
        }
    }
}
