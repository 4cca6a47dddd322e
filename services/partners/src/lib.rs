//! The partners service: partner companies with their tiers, benefits and contacts,
//! tier-weighted topic votes (the partner-votes saga), topic suggestions, partner meetings
//! with RSVP, and analytics. Publishes on `batbern.partners.v1`.

pub mod announce;
pub mod api;
pub mod domain;
pub mod email_links;
pub mod reactions;
pub mod report;
pub mod scheduler;
pub mod store;
pub mod webhooks;

use std::sync::Arc;

use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8086;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/partners");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "partners",
    schema: "partners",
    migrator: &MIGRATOR,
    constraints: store::constraints::CONSTRAINTS,
    // Its own topic too: the partners' events their webhooks carry.
    consumes: &["companies", "events", "attendees", "content", "partners"],
    reacts_to: reactions::REACTS_TO,
};

/// Runs the service on `listener` until `shutdown` is cancelled.
pub async fn run(
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let production = config.environment == service_kit::config::Environment::Production;
    let webhook_settings =
        webhooks::WebhookSettings::from_env(production).map_err(anyhow::Error::msg)?;
    let mut platform = Platform::start(SPEC, config, shutdown).await?;
    platform.consume(Arc::new(reactions::PartnersReactions));
    let (pool, stop) = (platform.pool.clone(), platform.shutdown());
    platform.spawn_worker("partner-calendar", move |heartbeat| {
        scheduler::run(pool.clone(), stop.clone(), heartbeat)
    });
    let (pool, stop) = (platform.pool.clone(), platform.shutdown());
    let webhook_policy = webhook_settings.policy;
    platform.spawn_worker("webhook-sender", move |heartbeat| {
        webhooks::run(
            pool.clone(),
            webhook_settings.clone(),
            stop.clone(),
            heartbeat,
        )
    });
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
        webhook_policy,
    };
    // The page the address-change mail links to.
    let pages = service_kit::email_change_page::routes(
        "/partner/email/confirm",
        email_links::Contacts(platform.pool.clone()),
    );
    let peers = &platform.config.peers;
    let keys = service_kit::peers::person_key_routes(platform.pool.clone(), peers);
    let holdings =
        service_kit::peers::holdings_routes(platform.pool.clone(), peers, store::PERSON_HOLDINGS);
    platform
        .serve(
            api::router(state).merge(pages).merge(keys).merge(holdings),
            listener,
        )
        .await
}
