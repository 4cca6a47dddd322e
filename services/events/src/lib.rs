//! The events service: events and their planning workflow, the slot grid with automatic
//! assignment, sessions, the public agenda, and the seat side of the registration saga.

pub mod agenda;
pub mod announce;
pub mod api;
pub mod domain;
pub mod reactions;
pub mod store;

use std::sync::Arc;

use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8082;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/events");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "events",
    schema: "events",
    migrator: &MIGRATOR,
    constraints: store::constraints::CONSTRAINTS,
    consumes: &["attendees", "speakers", "companies", "partners", "content"],
    reacts_to: reactions::REACTS_TO,
};

/// Runs the service on `listener` until `shutdown` is cancelled.
pub async fn run(
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut platform = Platform::start(SPEC, config, shutdown).await?;
    platform.consume(Arc::new(reactions::EventsReactions));
    let agendas = agenda::cache::AgendaCache::default();
    let (pool, stop, listening) = (platform.pool.clone(), platform.shutdown(), agendas.clone());
    platform.spawn_worker("agenda-changes", move |heartbeat| {
        listening
            .clone()
            .listen(pool.clone(), stop.clone(), heartbeat)
    });
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
        agendas,
        peers: platform.config.peers.clone(),
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
