//! The companies service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        companies::SPEC,
        companies::DEFAULT_PORT,
        companies::api::openapi,
        companies::run,
    )
    .await
}
