//! Mints a development token for the local fleet:
//! `dev-token organizer`, `dev-token partner --company-id <uuid>`, …
//! Signs with `JWT_SECRET` or the local dev secret.

use clap::Parser;
use service_kit::auth::{mint_hs256, Claims};
use service_kit::credentials::{DEV_JWT_AUDIENCE, DEV_JWT_ISSUER, DEV_JWT_SECRET};
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
    /// The account's email address (an attendee signing up needs it)
    #[arg(long)]
    email: Option<String>,
    /// Validity in hours
    #[arg(long, default_value_t = 12)]
    hours: i64,
    #[arg(long, env = "JWT_SECRET", default_value = DEV_JWT_SECRET, hide_env_values = true)]
    secret: String,
    #[arg(long, env = "JWT_ISSUER", default_value = DEV_JWT_ISSUER)]
    issuer: String,
    #[arg(long, env = "JWT_AUDIENCE", default_value = DEV_JWT_AUDIENCE)]
    audience: String,
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
        email: args.email,
        exp: chrono::Utc::now().timestamp() + args.hours * 3600,
        nbf: None,
        iss: Some(args.issuer),
        aud: Some(args.audience.into()),
    };
    println!("{}", mint_hs256(&args.secret, &claims));
}
