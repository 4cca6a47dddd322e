//! The events service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        events::SPEC,
        events::DEFAULT_PORT,
        events::api::openapi,
        events::run,
    )
    .await
}
