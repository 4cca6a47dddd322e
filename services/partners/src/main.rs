//! The partners service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        partners::SPEC,
        partners::DEFAULT_PORT,
        partners::api::openapi,
        partners::run,
    )
    .await
}
