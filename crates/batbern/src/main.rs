//! `batbern <service>`: the fleet's one executable. Each service runs as a process of its
//! own; sharing one file lets the processes on a host share its code pages.
//! Each service's commands are those of `service_kit::cli`.

use clap::{Parser, Subcommand};
use service_kit::cli::ServiceArgs;

#[derive(Parser)]
#[command(name = "batbern", about = "Runs one service of the BATbern fleet")]
struct Cli {
    #[command(subcommand)]
    service: Service,
}

#[derive(Subcommand)]
enum Service {
    /// The companies service
    Companies(ServiceArgs),
    /// The events service
    Events(ServiceArgs),
    /// The speakers service
    Speakers(ServiceArgs),
    /// The content service
    Content(ServiceArgs),
    /// The attendees service
    Attendees(ServiceArgs),
    /// The partners service
    Partners(ServiceArgs),
    /// The notifications service
    Notifications(ServiceArgs),
}

/// Runs the command `$args` of the service crate `$service`.
macro_rules! serve {
    ($args:expr, $service:ident) => {
        service_kit::cli::main(
            $args,
            $service::SPEC,
            $service::DEFAULT_PORT,
            $service::api::openapi,
            $service::run,
        )
        .await
    };
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().service {
        Service::Companies(args) => serve!(args, companies),
        Service::Events(args) => serve!(args, events),
        Service::Speakers(args) => serve!(args, speakers),
        Service::Content(args) => serve!(args, content),
        Service::Attendees(args) => serve!(args, attendees),
        Service::Partners(args) => serve!(args, partners),
        Service::Notifications(args) => serve!(args, notifications),
    }
}
