//! The notifications service: mails what the other contexts' events call for, in each
//! recipient's language with the active template version, honouring preferences, quiet
//! hours and digests; reminds speakers of material deadlines and escalates to backup
//! organizers; delivers through AWS SES v2 and tracks delivery, bounces and complaints.

pub mod api;
pub mod clock;
pub mod compose;
pub mod delivery;
pub mod domain;
pub mod metrics;
pub mod reactions;
pub mod scheduler;
pub mod settings;
pub mod store;

use std::sync::Arc;

use service_kit::config::Environment;
use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, SystemClock};
use crate::settings::MailSettings;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8087;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/notifications");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "notifications",
    schema: "notifications",
    migrator: &MIGRATOR,
    constraints: store::constraints::CONSTRAINTS,
    consumes: &["speakers", "attendees", "events", "partners", "content"],
    reacts_to: reactions::REACTS_TO,
};

/// Runs the service on `listener` until `shutdown` is cancelled, with mail settings from
/// the environment and the system clock.
pub async fn run(
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let production = config.environment == Environment::Production;
    let mail = MailSettings::from_lookup(production, |name| std::env::var(name).ok())?;
    run_with(config, mail, Arc::new(SystemClock), listener, shutdown).await
}

/// Runs the service with explicit mail settings and clock.
pub async fn run_with(
    config: ServiceConfig,
    mail: MailSettings,
    clock: Arc<dyn Clock>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let reactions = Arc::new(reactions::NotificationsReactions {
        clock: clock.clone(),
        public_base_url: config.public_base_url.clone(),
        peers: config.peers.clone(),
    });
    let mut platform = Platform::start(SPEC, config, shutdown.clone()).await?;
    platform.consume(reactions.clone());
    let scheduler = scheduler::Scheduler {
        pool: platform.pool.clone(),
        mailer: delivery::Mailer::new(&mail).await,
        clock: clock.clone(),
        reactions,
        poll_interval: mail.poll_interval,
        max_attempts: mail.max_attempts,
    };
    let scheduler = Arc::new(scheduler);
    platform.spawn_worker("scheduler", move |heartbeat| {
        let (scheduler, shutdown) = (scheduler.clone(), shutdown.clone());
        async move {
            scheduler.run(shutdown, heartbeat).await;
            Ok(())
        }
    });
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
        clock,
        webhook_token: mail.webhook_token.into(),
    };
    let holdings = service_kit::peers::holdings_routes(
        platform.pool.clone(),
        &platform.config.peers,
        store::PERSON_HOLDINGS,
    );
    platform
        .serve(api::router(state).merge(holdings), listener)
        .await
}
