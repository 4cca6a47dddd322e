//! The attendees service: attendees with their GDPR consent, and the attendee side of the
//! registration saga (registrations, waitlist, promotion).

pub mod announce;
pub mod api;
pub mod domain;
pub mod email_links;
pub mod newsletter_links;
pub mod pages;
pub mod reactions;
pub mod store;

use std::sync::Arc;

use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8085;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/attendees");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "attendees",
    schema: "attendees",
    migrator: &MIGRATOR,
    constraints: store::constraints::CONSTRAINTS,
    consumes: &["events", "companies", "content"],
    reacts_to: reactions::REACTS_TO,
};

/// Runs the service on `listener` until `shutdown` is cancelled.
pub async fn run(
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut platform = Platform::start(SPEC, config, shutdown).await?;
    platform.consume(Arc::new(reactions::AttendeesReactions));
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
        peers: platform.config.peers.clone(),
    };
    let keys = service_kit::peers::person_key_routes(platform.pool.clone(), &platform.config.peers);
    let routes = api::router(state.clone())
        .merge(pages::router(state))
        .merge(keys);
    platform.serve(routes, listener).await
}
