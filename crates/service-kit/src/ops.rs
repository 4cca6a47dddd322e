//! Operational routes every service serves: liveness, readiness (database and bus),
//! Prometheus metrics, and the dead-letter list/replay for operators (organizer token).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRef, MatchedPath, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use event_bus::{dead_letters, BusConfig, Reaction, Workers};
use prometheus::{
    register_histogram_vec, register_int_counter_vec, Encoder, HistogramVec, IntCounterVec,
    TextEncoder,
};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;
use std::sync::LazyLock;
use uuid::Uuid;

use crate::around::Around;
use crate::auth::{Actor, Authenticator, Role};
use crate::extract::{Json, Path, Query};
use crate::pagination::{Page, PageRequest};
use crate::problem::{ApiError, ProblemKind};

static HTTP_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "http_requests_total",
        "HTTP requests by route and status",
        &["method", "route", "status"]
    )
    .unwrap()
});

static HTTP_DURATION: LazyLock<HistogramVec> = LazyLock::new(|| {
    register_histogram_vec!(
        "http_request_duration_seconds",
        "HTTP request latency",
        &["method", "route"]
    )
    .unwrap()
});

/// State of the operational routes.
#[derive(Clone)]
pub struct OpsState {
    pub pool: PgPool,
    pub bus: BusConfig,
    pub auth: Arc<Authenticator>,
    pub reaction: Option<Arc<dyn Reaction>>,
    pub workers: Workers,
}

impl FromRef<OpsState> for Arc<Authenticator> {
    fn from_ref(state: &OpsState) -> Self {
        state.auth.clone()
    }
}

/// `/health/live`, `/health/ready`, `/metrics`, `/ops/dead-letters`,
/// `/ops/correlations/{id}`.
pub fn router(state: OpsState) -> Router {
    Router::new()
        .route(
            "/health/live",
            get(|| async { axum::Json(json!({ "status": "up" })) }),
        )
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/ops/dead-letters", get(list_dead_letters))
        .route("/ops/dead-letters/{id}/replay", post(replay_dead_letter))
        .route("/ops/correlations/{id}", get(correlation_timeline))
        .with_state(state)
}

/// Ready when the database and the broker answer and every background worker runs, makes
/// progress and (for the consumer) holds its group assignment; otherwise 503 naming what
/// is not.
async fn ready(State(state): State<OpsState>) -> Response {
    let database = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("select 1").execute(&state.pool),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    let bus = state.bus.is_reachable(Duration::from_secs(2)).await;
    let workers = state.workers.report();
    let all_workers_up = workers.values().all(Option::is_none);
    let worker_checks: serde_json::Map<String, serde_json::Value> = workers
        .into_iter()
        .map(|(name, issue)| {
            let status = issue.map_or_else(|| "up".to_owned(), |issue| issue.to_string());
            (name, status.into())
        })
        .collect();
    let up = |ok: bool| if ok { "up" } else { "down" };
    let checks = json!({ "database": up(database), "bus": up(bus), "workers": worker_checks });
    if database && bus && all_workers_up {
        return axum::Json(json!({ "status": "ready", "checks": checks })).into_response();
    }
    let mut failing: Vec<String> = [("database", database), ("bus", bus)]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name.to_owned())
        .collect();
    failing.extend(
        worker_checks
            .iter()
            .filter(|(_, status)| *status != "up")
            .map(|(name, status)| format!("{name} ({})", status.as_str().unwrap_or_default())),
    );
    ApiError::new(
        ProblemKind::Unavailable,
        format!("Not ready: {}", failing.join(", ")),
    )
    .with("checks", checks)
    .into_response()
}

async fn metrics(State(state): State<OpsState>) -> Response {
    state.workers.report();
    let mut buffer = Vec::new();
    let encoder = TextEncoder::new();
    match encoder.encode(&prometheus::gather(), &mut buffer) {
        Ok(()) => (
            [(
                axum::http::header::CONTENT_TYPE,
                encoder.format_type().to_owned(),
            )],
            buffer,
        )
            .into_response(),
        Err(error) => ApiError::internal(error).into_response(),
    }
}

/// Records request count and latency per matched route and known method (never the raw
/// path or an invented method, to keep the label set bounded whatever callers send).
#[derive(Clone, Copy)]
pub struct RecordMetrics;

impl Around for RecordMetrics {
    /// The method's label, the matched route and when the request came in.
    type Carry = (&'static str, Option<MatchedPath>, Instant);

    fn before<B>(&self, request: &mut http::Request<B>) -> Self::Carry {
        let route = request.extensions().get::<MatchedPath>().cloned();
        (method_label(request.method()), route, Instant::now())
    }

    fn after<B>((method, route, started): Self::Carry, response: &mut http::Response<B>) {
        let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
        HTTP_DURATION
            .with_label_values(&[method, route])
            .observe(started.elapsed().as_secs_f64());
        HTTP_REQUESTS
            .with_label_values(&[method, route, response.status().as_str()])
            .inc();
    }
}

/// The method's name when it is one HTTP defines, else `other`.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::TRACE, "TRACE"),
        (Method::CONNECT, "CONNECT"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, name)| name)
}

#[derive(Debug, Deserialize)]
struct DeadLetterQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn list_dead_letters(
    State(state): State<OpsState>,
    actor: Actor,
    Query(query): Query<DeadLetterQuery>,
) -> Result<Json<Page<dead_letters::DeadLetter>>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let page = PageRequest::parse::<Uuid>(query.limit, query.cursor.as_deref())?;
    let rows = dead_letters::list_pending(&state.pool, page.after, page.fetch_limit()).await?;
    let page = Page::from_rows(rows, page.limit, |letter| letter.id).map(|letter| {
        dead_letters::DeadLetter {
            payload: letter.payload.as_deref().map(crate::redact::payload),
            ..letter
        }
    });
    Ok(Json(page))
}

async fn replay_dead_letter(
    State(state): State<OpsState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<serde_json::Value>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let reaction = state
        .reaction
        .as_deref()
        .ok_or_else(|| ApiError::not_found("This service consumes no events"))?;
    match dead_letters::replay(&state.pool, reaction, id).await {
        Ok(applied) => Ok(Json(
            json!({ "id": id, "outcome": format!("{applied:?}").to_lowercase() }),
        )),
        Err(dead_letters::ReplayError::NotFound(_)) => {
            Err(ApiError::not_found(format!("No dead letter {id}")))
        }
        Err(e @ dead_letters::ReplayError::AlreadyReplayed(_)) => {
            Err(ApiError::conflict(e.to_string()))
        }
        Err(e @ dead_letters::ReplayError::Malformed { .. }) => {
            Err(ApiError::conflict(e.to_string()))
        }
        Err(dead_letters::ReplayError::Reaction(e)) => Err(ApiError::conflict(format!(
            "The reaction failed again: {e}"
        ))
        .with("deadLetterId", id.to_string())),
        Err(dead_letters::ReplayError::Database(e)) => Err(e.into()),
    }
}

/// What this service recorded of one correlation id, oldest first (no payloads; a parked
/// event's error is redacted). `batbern-ops saga` merges the answers of every service.
async fn correlation_timeline(
    State(state): State<OpsState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    if id.is_empty() || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_field(
            "id",
            "a correlation id is 1 to 255 visible ASCII characters",
        ));
    }
    let entries = event_bus::timeline::of_correlation(&state.pool, &id)
        .await?
        .into_iter()
        .map(|entry| event_bus::timeline::TimelineEntry {
            detail: entry.detail.as_deref().map(crate::redact::text),
            ..entry
        })
        .collect::<Vec<_>>();
    Ok(Json(json!({ "correlationId": id, "entries": entries })))
}
