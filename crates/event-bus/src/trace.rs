//! W3C trace context across HTTP and the bus. Work is done inside `tracing` spans; when the
//! service exports traces (its subscriber has the OpenTelemetry layer), each span also has
//! an OpenTelemetry context. Its `traceparent` is stored in the outbox rows the span
//! writes, travels in the Kafka headers as the publishing span's, and the consuming span
//! continues it, so one request and every saga step it causes form one trace. Without the
//! layer spans have no context, and a `traceparent` received is passed on unchanged.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use uuid::Uuid;

use crate::Envelope;

/// Makes `span` a child of the remote span `traceparent` names. Does nothing without a
/// valid `traceparent` or when traces are not exported; must be called before the span is
/// first entered.
pub fn continue_from(span: &Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent else {
        return;
    };
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    let parent = TraceContextPropagator::new().extract(&carrier);
    if parent.span().span_context().is_valid() {
        // Fails only when the layer is missing, which is the no-export case.
        let _ = span.set_parent(parent);
    }
}

/// The `traceparent` of `span`, when it has an OpenTelemetry context.
pub fn traceparent_of(span: &Span) -> Option<String> {
    let context = span.context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// The `traceparent` of the span the caller runs in, when it has one.
pub fn current_traceparent() -> Option<String> {
    traceparent_of(&Span::current())
}

/// The span of publishing one outbox row to `topic`, continuing the trace of the request or
/// reaction that wrote the row (OpenTelemetry messaging conventions, kind producer).
pub fn publish_span(
    topic: &str,
    event_type: &str,
    event_id: Uuid,
    traceparent: Option<&str>,
) -> Span {
    let span = tracing::info_span!(
        "publish",
        otel.name = %format!("publish {event_type}"),
        otel.kind = "producer",
        messaging.system = "kafka",
        messaging.operation.type = "send",
        messaging.destination.name = %topic,
        messaging.message.id = %event_id,
    );
    continue_from(&span, traceparent);
    span
}

/// The span of one consumer's handling of `envelope` from `topic`, continuing the trace of
/// the span that published it (kind consumer).
pub fn process_span(topic: &str, envelope: &Envelope, handler: &str) -> Span {
    let span = tracing::info_span!(
        "process",
        otel.name = %format!("process {}", envelope.event_type),
        otel.kind = "consumer",
        messaging.system = "kafka",
        messaging.operation.type = "process",
        messaging.destination.name = %topic,
        messaging.message.id = %envelope.id,
        messaging.consumer.group.name = %handler,
    );
    continue_from(&span, envelope.traceparent.as_deref());
    span
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TracerProvider;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::layer::SubscriberExt;

    const REMOTE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn with_layer(check: impl FnOnce()) {
        let provider = SdkTracerProvider::builder().build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("test"));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, check);
    }

    #[test]
    fn a_span_continues_the_trace_it_is_given_under_a_span_id_of_its_own() {
        with_layer(|| {
            let span = tracing::info_span!("work");
            continue_from(&span, Some(REMOTE));
            let own = traceparent_of(&span).expect("the span has a context");
            assert!(
                own.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
                "{own}"
            );
            assert_ne!(own, REMOTE);
            let _entered = span.enter();
            assert_eq!(current_traceparent(), Some(own));
        });
    }

    #[test]
    fn a_malformed_traceparent_starts_a_trace_of_its_own() {
        with_layer(|| {
            let span = tracing::info_span!("work");
            continue_from(&span, Some("00-not-a-trace-01"));
            let own = traceparent_of(&span).expect("the span has a context");
            assert!(!own.contains("4bf92f3577b34da6a3ce929d0e0e4736"));
        });
    }

    #[test]
    fn without_exported_traces_spans_have_no_traceparent() {
        let span = tracing::info_span!("work");
        continue_from(&span, Some(REMOTE));
        assert_eq!(traceparent_of(&span), None);
    }
}
