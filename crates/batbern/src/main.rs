//! `batbern <service>`: the fleet's one executable. Each service runs as a process of its
//! own; sharing one file lets the processes on a host share its code pages.
//! Each service's commands are those of `service_kit::cli`.

use clap::{Parser, Subcommand};
use service_kit::cli::ServiceArgs;

/// mimalloc serves the many small, short-lived allocations of a request (headers, spans,
/// buffers) faster than the system allocator (`scripts/bench`, docs/operations.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// One worker thread per process unless `TOKIO_WORKER_THREADS` asks for more: a service
/// is scaled by its replicas, and on a shared host one thread per process measured faster
/// (fewer hand-overs between threads; docs/operations.md).
fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let threads = match std::env::var("TOKIO_WORKER_THREADS") {
        Err(_) => 1,
        Ok(value) => match value.trim().parse::<usize>() {
            Ok(threads) if threads > 0 => threads,
            _ => {
                eprintln!(
                    "TOKIO_WORKER_THREADS must be a whole number of at least 1, not {value:?}"
                );
                std::process::exit(2);
            }
        },
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.service {
        Service::Companies(args) => serve!(args, companies),
        Service::Events(args) => serve!(args, events),
        Service::Speakers(args) => serve!(args, speakers),
        Service::Content(args) => serve!(args, content),
        Service::Attendees(args) => serve!(args, attendees),
        Service::Partners(args) => serve!(args, partners),
        Service::Notifications(args) => serve!(args, notifications),
    }
}
