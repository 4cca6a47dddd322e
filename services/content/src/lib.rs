//! The content service: files in S3 through presigned uploads with quotas and
//! checksum-verified, virus-scanned confirmation; counted downloads; session materials;
//! the content saga (logos, speaker photos, presentations). Publishes on
//! `batbern.content.v1`.

pub mod announce;
pub mod api;
pub mod domain;
pub mod lifecycle;
pub mod reactions;
pub mod scanner;
pub mod scheduler;
pub mod settings;
pub mod storage;
pub mod store;

use std::sync::Arc;

use service_kit::{Platform, ServiceConfig, ServiceSpec};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::settings::ContentSettings;

/// The local port of the service.
pub const DEFAULT_PORT: u16 = 8084;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/content");

/// How the shared bootstrap sees this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: "content",
    schema: "content",
    migrator: &MIGRATOR,
    constraints: store::constraints::CONSTRAINTS,
    consumes: &["companies", "events", "speakers"],
    reacts_to: reactions::REACTS_TO,
};

/// Runs the service on `listener` until `shutdown` is cancelled, with the content
/// settings from the environment.
pub async fn run(
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let settings = ContentSettings::from_env(&config.public_base_url)?;
    run_with(config, settings, listener, shutdown).await
}

/// Runs the service with `settings`.
pub async fn run_with(
    config: ServiceConfig,
    settings: ContentSettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let store = storage::ObjectStore::new(&settings.s3).await;
    if let Err(error) = store.ensure_bucket().await {
        tracing::warn!(%error, "bucket not checked at start-up; uploads answer 503 until the store answers");
    }
    let mut platform = Platform::start(SPEC, config, shutdown).await?;
    let reactions = reactions::ContentReactions {
        public_base_url: settings.public_base_url.clone(),
    };
    platform.consume(Arc::new(reactions));
    let (pool, stop, sweeper) = (platform.pool.clone(), platform.shutdown(), store.clone());
    let interval = settings.sweep_interval;
    platform.spawn_worker("content-sweeper", move |heartbeat| {
        scheduler::run(
            pool.clone(),
            sweeper.clone(),
            interval,
            stop.clone(),
            heartbeat,
        )
    });
    let state = api::AppState {
        pool: platform.pool.clone(),
        auth: platform.auth.clone(),
        store,
        scanner: scanner::Scanner::new(&settings.clamd_address),
        settings: Arc::new(settings),
    };
    platform.serve(api::router(state), listener).await
}
