//! `batbern-ops`: the fleet's operations commands.
//! - `asyncapi`: the AsyncAPI document of the bus (committed as `asyncapi/batbern.json`);
//! - `events-page`: the event catalog page (committed as `docs/events.md`);
//! - `saga <correlationId>`: one saga's timeline across the services, as text or `--json`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use service_kit::auth::{mint_hs256, Claims};
use service_kit::credentials::{DEV_JWT_AUDIENCE, DEV_JWT_ISSUER, DEV_JWT_SECRET};

#[derive(Parser)]
#[command(
    name = "batbern-ops",
    about = "Operations commands of the BATbern fleet"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the AsyncAPI 3 document of the bus
    Asyncapi,
    /// Print the event catalog page (Markdown)
    EventsPage,
    /// Follow a correlation id (an API answer's `X-Request-Id`) through every service
    Saga {
        correlation_id: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
        /// An organizer's bearer token; without one, a token is minted with JWT_SECRET
        /// (or the local fleet's dev secret), which only a local fleet accepts
        #[arg(long, env = "BATBERN_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match Args::parse().command {
        Command::Asyncapi => {
            let document = batbern_ops::asyncapi::document();
            println!("{}", serde_json::to_string_pretty(&document).expect("JSON"));
        }
        Command::EventsPage => print!("{}", batbern_ops::events_page::render()),
        Command::Saga {
            correlation_id,
            json,
            token,
        } => {
            let token = token.unwrap_or_else(local_organizer_token);
            let timeline = batbern_ops::saga::timeline(&correlation_id, &token).await;
            if json {
                println!("{}", serde_json::to_string_pretty(&timeline).expect("JSON"));
            } else {
                print!("{}", batbern_ops::saga::render(&timeline));
            }
            if !timeline.unreachable.is_empty() {
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn local_organizer_token() -> String {
    let secret = std::env::var("JWT_SECRET").unwrap_or_else(|_| DEV_JWT_SECRET.to_owned());
    let claims = Claims {
        sub: "batbern-ops".into(),
        roles: vec!["organizer".into()],
        speaker_id: None,
        company_id: None,
        attendee_id: None,
        email: None,
        exp: chrono::Utc::now().timestamp() + 300,
        nbf: None,
        iss: Some(DEV_JWT_ISSUER.into()),
        aud: Some(DEV_JWT_AUDIENCE.into()),
    };
    mint_hs256(&secret, &claims)
}
