//! The speakers service: speakers and their self-service, assignments to sessions with the
//! 8-state workflow, and the invitation saga with signed, expiring self-service links.

pub mod announce;
pub mod answers;
pub mod api;
pub mod domain;
pub mod email_links;
pub mod invitation;
pub mod pages;
pub mod reactions;
pub mod store;

use std::sync::Arc;

use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8083;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/speakers");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "speakers",
    schema: "speakers",
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
    let (signing_secret, public_base_url) = (
        config.signing_secret.clone(),
        config.public_base_url.clone(),
    );
    let mut platform = Platform::start(SPEC, config, shutdown).await?;
    platform.consume(Arc::new(reactions::SpeakersReactions));
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
        signing_secret,
        public_base_url,
        peers: platform.config.peers.clone(),
    };
    let keys = service_kit::peers::person_key_routes(platform.pool.clone(), &platform.config.peers);
    let routes = api::router(state.clone())
        .merge(pages::router(state))
        .merge(keys);
    platform.serve(routes, listener).await
}
