//! The attendees service binary (see `service_kit::cli` for its commands).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::cli::main(
        attendees::SPEC,
        attendees::DEFAULT_PORT,
        attendees::api::openapi,
        attendees::run,
    )
    .await
}
