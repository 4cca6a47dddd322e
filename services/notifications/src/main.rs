//! The notifications service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        notifications::SPEC,
        notifications::DEFAULT_PORT,
        notifications::api::openapi,
        notifications::run,
    )
    .await
}
