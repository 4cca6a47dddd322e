//! The companies service: the directory of companies that speakers, partners and attendees
//! belong to. Publishes `CompanyCreated/Updated/Archived` on `batbern.companies.v1`.

pub mod announce;
pub mod api;
pub mod domain;
pub mod reactions;
pub mod store;

use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8081;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/companies");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "companies",
    schema: "companies",
    migrator: &MIGRATOR,
    constraints: store::CONSTRAINTS,
    consumes: &["events", "partners", "content"],
    reacts_to: reactions::REACTS_TO,
};

/// Runs the service on `listener` until `shutdown` is cancelled.
pub async fn run(
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut platform = Platform::start(SPEC, config, shutdown).await?;
    // The platform's role grants (from the events context) refine every caller's roles;
    // partners' active state sets the companies' partner flag; the content context's logo
    // uploads and deletions set the companies' logos.
    platform.consume(std::sync::Arc::new(reactions::CompaniesReactions));
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
    };
    platform.serve(api::router(state), listener).await
}
