//! Tracing set-up: JSON lines in production, readable lines locally, and, when a collector
//! is configured, OpenTelemetry traces exported over OTLP/HTTP. The HTTP layer opens a
//! server span per request carrying its `request_id`, the bus a span per published and per
//! consumed message (`event_bus::trace`), so every line logged while serving them has their
//! ids and one request's saga forms one trace.

use opentelemetry::trace::TracerProvider;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use crate::config::{LogFormat, TraceExport, TraceProtocol};

/// The installed exporter, flushed by [`Telemetry::shutdown`].
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still queued; call once the service has stopped.
    pub async fn shutdown(self) {
        if let Some(provider) = self.provider {
            // The exporter sends from a thread of its own; waiting for it blocks.
            let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
            if let Ok(Err(error)) = flushed {
                tracing::warn!(%error, "traces could not all be exported at shutdown");
            }
        }
    }
}

/// Installs the global subscriber (`RUST_LOG` filters, `info` by default) and, with
/// `traces`, the OpenTelemetry layer exporting as `service`. Calling it twice is harmless
/// (tests build several apps in one process): the first subscriber stays.
pub fn init(format: LogFormat, traces: Option<&TraceExport>, service: &str) -> Telemetry {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,rdkafka=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let lines = match format {
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_target(false)
            .boxed(),
        LogFormat::Pretty => fmt::layer()
            .compact()
            .with_target(false)
            .with_ansi(ansi)
            .boxed(),
    };
    let provider = traces.and_then(|export| match tracer_provider(export, service) {
        Ok(provider) => Some(provider),
        Err(error) => {
            eprintln!("traces are not exported: {error}");
            None
        }
    });
    let spans = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer(service.to_owned()))
            .with_location(false)
            .with_threads(false)
    });
    let installed = tracing_subscriber::registry()
        .with(lines)
        .with(spans)
        .with(filter)
        .try_init()
        .is_ok();
    Telemetry {
        provider: provider.filter(|_| installed),
    }
}

/// A batching exporter to `<endpoint>/v1/traces` (its delays and sizes follow the
/// standard `OTEL_BSP_*` variables).
fn tracer_provider(
    export: &TraceExport,
    service: &str,
) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let protocol = match export.protocol {
        TraceProtocol::Protobuf => Protocol::HttpBinary,
        TraceProtocol::Json => Protocol::HttpJson,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .with_endpoint(format!("{}/v1/traces", export.endpoint))
        .build()?;
    let name = export
        .service_name
        .clone()
        .unwrap_or_else(|| service.to_owned());
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name(name).build())
        .build())
}
