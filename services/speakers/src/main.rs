//! The speakers service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        speakers::SPEC,
        speakers::DEFAULT_PORT,
        speakers::api::openapi,
        speakers::run,
    )
    .await
}
