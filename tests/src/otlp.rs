//! An OpenTelemetry collector for tests: an OTLP/HTTP receiver (JSON encoding, as the
//! services send with `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) that keeps every span it is
//! sent, with the name of the service that sent it.

use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// OTLP span kinds (`SPAN_KIND_*`).
pub mod kind {
    pub const INTERNAL: i64 = 1;
    pub const SERVER: i64 = 2;
    pub const CLIENT: i64 = 3;
    pub const PRODUCER: i64 = 4;
    pub const CONSUMER: i64 = 5;
}

/// One span as it was exported.
#[derive(Debug, Clone)]
pub struct ReceivedSpan {
    /// `service.name` of the exporting resource.
    pub service: String,
    pub trace_id: String,
    pub span_id: String,
    /// Empty for the root of a trace.
    pub parent_span_id: String,
    pub name: String,
    pub kind: i64,
}

/// The receiver; spans arrive as long as it lives.
#[derive(Clone, Default)]
pub struct OtlpReceiver {
    spans: Arc<Mutex<Vec<ReceivedSpan>>>,
}

impl OtlpReceiver {
    /// Serves `POST /v1/traces` on `address` (e.g. `127.0.0.1:24318`).
    pub async fn listen(address: &str) -> Self {
        let receiver = Self::default();
        let collecting = receiver.clone();
        let app = Router::new().route(
            "/v1/traces",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let receiver = collecting.clone();
                async move { receiver.receive(&headers, &body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .unwrap_or_else(|e| panic!("the OTLP receiver binds {address}: {e}"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    /// Every span of `trace_id` received so far.
    pub fn spans_of(&self, trace_id: &str) -> Vec<ReceivedSpan> {
        self.spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.trace_id == trace_id)
            .cloned()
            .collect()
    }

    fn receive(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, Json<Value>) {
        let json_sent = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let Some(request) = json_sent
            .then(|| serde_json::from_slice::<Value>(body).ok())
            .flatten()
        else {
            return (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Json(json!({"message": "this receiver reads OTLP/HTTP JSON"})),
            );
        };
        let received = spans_in(&request);
        self.spans.lock().unwrap().extend(received);
        (StatusCode::OK, Json(json!({})))
    }
}

/// The spans of an `ExportTraceServiceRequest` in its JSON encoding.
fn spans_in(request: &Value) -> Vec<ReceivedSpan> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut spans = Vec::new();
    for resource in request["resourceSpans"].as_array().into_iter().flatten() {
        let service = resource["resource"]["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["key"] == "service.name")
            .map(|a| text(&a["value"]["stringValue"]))
            .unwrap_or_default();
        let scopes = resource["scopeSpans"].as_array().into_iter().flatten();
        for span in scopes.flat_map(|s| s["spans"].as_array().into_iter().flatten()) {
            spans.push(ReceivedSpan {
                service: service.clone(),
                trace_id: text(&span["traceId"]).to_ascii_lowercase(),
                span_id: text(&span["spanId"]).to_ascii_lowercase(),
                parent_span_id: text(&span["parentSpanId"]).to_ascii_lowercase(),
                name: text(&span["name"]),
                kind: span["kind"].as_i64().unwrap_or_default(),
            });
        }
    }
    spans
}
