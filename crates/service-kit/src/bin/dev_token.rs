//! Mints a development token for the local fleet:
//! `dev-token organizer`, `dev-token partner --company-id <uuid>`, …
//! Signs with `JWT_SECRET` or the local dev secret.

use clap::Parser;
use service_kit::auth::{mint_hs256, Claims};
use service_kit::config::DEV_JWT_SECRET;
use service_kit::Role;
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "Mint a development bearer token for the local BATbern fleet")]
struct Args {
    /// organizer, speaker, partner or attendee (repeat with commas for several)
    #[arg(value_delimiter = ',', required = true)]
    roles: Vec<Role>,
    /// Token subject (user id)
    #[arg(long, default_value = "dev-user")]
    subject: String,
    #[arg(long)]
    speaker_id: Option<Uuid>,
    #[arg(long)]
    company_id: Option<Uuid>,
    #[arg(long)]
    attendee_id: Option<Uuid>,
    /// Validity in hours
    #[arg(long, default_value_t = 12)]
    hours: i64,
    #[arg(long, env = "JWT_SECRET", default_value = DEV_JWT_SECRET, hide_env_values = true)]
    secret: String,
}

fn main() {
    let args = Args::parse();
    let claims = Claims {
        sub: args.subject,
        roles: args
            .roles
            .iter()
            .map(|r| {
                serde_json::to_value(r)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect(),
        speaker_id: args.speaker_id,
        company_id: args.company_id,
        attendee_id: args.attendee_id,
        exp: chrono::Utc::now().timestamp() + args.hours * 3600,
        iss: None,
        aud: None,
    };
    println!("{}", mint_hs256(&args.secret, &claims));
}
