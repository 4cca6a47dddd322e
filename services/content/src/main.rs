//! The content service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        content::SPEC,
        content::DEFAULT_PORT,
        content::api::openapi,
        content::run,
    )
    .await
}
