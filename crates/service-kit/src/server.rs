//! The bootstrap every service shares: connect and migrate, create topics, run the outbox
//! relay (and the consumer, if the service reacts to events) as supervised workers, serve HTTP behind the common
//! layers, and shut down gracefully: stop accepting, finish in-flight requests, let the
//! consumer finish its message and the relay its batch.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use event_bus::{
    Consumer, ConsumerSettings, EarlyMember, Heartbeat, Reaction, Relay, RelaySettings, Workers,
};
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::around::AroundLayer;
use crate::auth::Authenticator;
use crate::config::ServiceConfig;
use crate::ops::{self, OpsState};
use crate::problem::ApiError;
use crate::problem_details::ProblemDetailsLayer;
use crate::rate_limit::{RateLimitLayer, RateLimits};

/// What distinguishes one service in the bootstrap.
#[derive(Clone, Copy)]
pub struct ServiceSpec {
    /// The bounded context, e.g. `companies` (also its consumer group and source).
    pub name: &'static str,
    /// Its Postgres schema.
    pub schema: &'static str,
    /// Its migrations.
    pub migrator: &'static Migrator,
    /// What its constraints mean to clients when a request violates one.
    pub constraints: &'static [crate::problem::ConstraintAnswer],
    /// The contexts whose topics its consumer reads (the event catalog names it their
    /// consumer).
    pub consumes: &'static [&'static str],
    /// The event types of those topics its reaction acts on; the consumer passes the others
    /// by without touching the database.
    pub reacts_to: &'static [&'static str],
}

/// A service's reaction, acting on the event types its spec declares.
struct Declared {
    reaction: Arc<dyn Reaction>,
    types: &'static [&'static str],
}

#[async_trait::async_trait]
impl Reaction for Declared {
    fn handler(&self) -> &'static str {
        self.reaction.handler()
    }

    fn handles(&self, event_type: &str) -> bool {
        self.types.contains(&event_type)
    }

    async fn react(
        &self,
        conn: &mut sqlx::PgConnection,
        envelope: &event_bus::Envelope,
    ) -> Result<(), event_bus::ReactionError> {
        self.reaction.react(conn, envelope).await
    }
}

/// A started service: database ready, relay running; add a consumer, then serve.
pub struct Platform {
    pub spec: ServiceSpec,
    pub config: ServiceConfig,
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
    workers: Workers,
    reaction: Option<Arc<dyn Reaction>>,
    /// The consumer's member, joining its group since start-up (taken by [`Self::consume`]).
    early: Option<EarlyMember>,
}

/// How long start-up waits for the broker to create the service's topic; the relay creates
/// it later when the broker was away, and a stop request is never held up longer.
const TOPIC_CREATION_AT_START: Duration = Duration::from_secs(5);

impl Platform {
    /// Connects, then migrates while it creates the service's topics and a member of its
    /// consumer group joins; starts its supervised relay.
    pub async fn start(
        spec: ServiceSpec,
        config: ServiceConfig,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let pool = crate::db::connect(
            &config.database_url,
            spec.schema,
            config.database_max_connections,
        )
        .await?;
        let own_topics = [
            config.bus.topics.of_context(spec.name),
            config.bus.topics.dead_letters_of(spec.name),
        ];
        let creating = async {
            let created = tokio::time::timeout(
                TOPIC_CREATION_AT_START,
                config.bus.ensure_topics(&own_topics),
            )
            .await;
            if !matches!(created, Ok(Ok(()))) {
                tracing::warn!(
                    "topics not created at start-up; the relay creates them when the broker answers"
                );
            }
        };
        // The consumer starts joining its group while the migrations run: the broker holds
        // a join for a while, and readiness waits for both.
        let joining = async {
            if spec.consumes.is_empty() {
                return None;
            }
            let settings = consumer_settings(&spec, &config);
            let early = EarlyMember::join(&config.bus, &settings, spec.name);
            match tokio::time::timeout(TOPIC_CREATION_AT_START, early).await {
                Ok(Ok(member)) => Some(member),
                _ => {
                    tracing::info!("the consumer joins once the broker answers");
                    None
                }
            }
        };
        let migrating = crate::db::migrate(&pool, spec.migrator);
        let (migrated, (), early) = tokio::join!(migrating, creating, joining);
        migrated?;
        crate::problem::register_constraints(spec.constraints);
        let auth = Authenticator::with_grants(&config.auth, config.tokens.clone(), pool.clone());
        let mut platform = Self {
            workers: Workers::new(config.worker_stall),
            spec,
            pool,
            auth,
            shutdown,
            tasks: JoinSet::new(),
            reaction: None,
            config,
            early,
        };
        let settings = RelaySettings {
            retention: platform.config.outbox_retention,
            ..RelaySettings::default()
        };
        let (pool, bus) = (platform.pool.clone(), platform.config.bus.clone());
        let shutdown = platform.shutdown.clone();
        platform.spawn_worker("relay", move |heartbeat| {
            let relay = Relay::new(pool.clone(), bus.clone(), spec.schema, settings.clone());
            let shutdown = shutdown.clone();
            async move {
                relay
                    .map_err(|e| e.to_string())?
                    .run(shutdown, heartbeat)
                    .await;
                Ok(())
            }
        });
        Ok(platform)
    }

    /// Starts the service's supervised consumer of the topics its spec names, with
    /// `reaction` for the event types the spec says it reacts to.
    pub fn consume(&mut self, reaction: Arc<dyn Reaction>) {
        let reaction: Arc<dyn Reaction> = Arc::new(Declared {
            reaction,
            types: self.spec.reacts_to,
        });
        let settings = consumer_settings(&self.spec, &self.config);
        let (pool, bus) = (self.pool.clone(), self.config.bus.clone());
        // The first run takes over the member that joined at start-up.
        Consumer::new(pool, bus, settings, reaction.clone())
            .taking_over(self.early.take())
            .supervise(
                &self.workers,
                &mut self.tasks,
                "consumer",
                self.shutdown.clone(),
            );
        self.reaction = Some(reaction);
    }

    /// Runs a service-specific background worker named `name` beside the relay and
    /// consumer, under supervision: `make` builds it (again after it stopped or panicked);
    /// it beats its heartbeat while healthy and returns when the shutdown token fires.
    pub fn spawn_worker<F, Fut>(&mut self, name: &str, make: F)
    where
        F: FnMut(Heartbeat) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        self.workers
            .supervise(&mut self.tasks, name, false, self.shutdown.clone(), make);
    }

    /// The shutdown token of this service.
    pub fn shutdown(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// The full application: `api` plus the operational routes, behind the common layers.
    pub fn app(&self, api: Router) -> Router {
        let ops = ops::router(OpsState {
            pool: self.pool.clone(),
            bus: self.config.bus.clone(),
            auth: self.auth.clone(),
            reaction: self.reaction.clone(),
            workers: self.workers.clone(),
        });
        with_layers(api.merge(ops), &self.config, &self.auth)
    }

    /// Serves `api` on `listener` until shutdown, then waits for the relay and consumer.
    pub async fn serve(mut self, api: Router, listener: TcpListener) -> anyhow::Result<()> {
        let app = self.app(api);
        tracing::info!(service = self.spec.name, address = %listener.local_addr()?, "listening");
        let header_timeout = self.config.header_read_timeout;
        crate::listener::serve(listener, app, header_timeout, self.shutdown.clone()).await;
        while self.tasks.join_next().await.is_some() {}
        self.pool.close().await;
        tracing::info!(service = self.spec.name, "stopped");
        Ok(())
    }
}

/// How the consumer of `spec` consumes: its group, the topics of the contexts it reads.
fn consumer_settings(spec: &ServiceSpec, config: &ServiceConfig) -> ConsumerSettings {
    ConsumerSettings {
        service: spec.name.to_owned(),
        group_id: format!("{}-consumer", config.bus.topics.of_context(spec.name)),
        topics: spec
            .consumes
            .iter()
            .map(|c| config.bus.topics.of_context(c))
            .collect(),
        max_attempts: 5,
        initial_backoff: Duration::from_millis(200),
        join_timeout: config.consumer_join_timeout,
    }
}

/// The server span of one request (OpenTelemetry HTTP conventions), continuing the trace
/// of the caller's `traceparent` when it sent one.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |path| path.as_str());
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("{} {route}", request.method()),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        method = %request.method(),
        path = %request.uri().path(),
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
        request_id = %header("x-request-id").unwrap_or("-"),
    );
    event_bus::trace::continue_from(&span, header("traceparent"));
    span
}

/// Records the answer's status on the server span; a 5xx marks the span as failed.
#[derive(Clone, Copy)]
struct RecordStatus;

impl<B> tower_http::trace::OnResponse<B> for RecordStatus {
    fn on_response(self, response: &http::Response<B>, _: Duration, span: &tracing::Span) {
        span.record("http.response.status_code", response.status().as_u16());
        if response.status().is_server_error() {
            span.record("otel.status_code", "error");
        }
    }
}

/// Applies request ids, tracing, CORS, compression, metrics, problem rendering, timeout
/// and body limit to `router`, and answers unknown routes with a 404 problem.
pub fn with_layers(router: Router, config: &ServiceConfig, auth: &Arc<Authenticator>) -> Router {
    let origins = Arc::clone(&config.cors_origins);
    // Request headers are listed one by one: per the Fetch standard a wildcard does not
    // cover `Authorization`, so a browser that follows it would refuse every token call.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origins.contains(origin)
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(Duration::from_secs(600))
        // Its `Vary` names go into the one line `headers::SecurityHeaders` writes.
        .vary(Vec::<HeaderName>::new());
    let trace = TraceLayer::new_for_http()
        .make_span_with(request_span)
        .on_response(RecordStatus);
    router
        .fallback(|| async { ApiError::not_found("No resource at this path") })
        .layer(
            ServiceBuilder::new()
                .layer(AroundLayer(crate::request_id::DropUnusable))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(AroundLayer(crate::headers::SecurityHeaders))
                .layer(cors)
                .layer(CompressionLayer::new())
                .layer(AroundLayer(ops::RecordMetrics))
                .layer(ProblemDetailsLayer)
                .layer(RateLimitLayer(RateLimits::new(
                    config.rate_limits,
                    auth.clone(),
                )))
                .layer(CatchPanicLayer::custom(panic_problem))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(config.body_limit)),
        )
}

/// A handler that panicked answers a 500 problem (the request id is added by
/// [`ProblemDetailsLayer`]); the panic is logged, the connection and the process live on.
fn panic_problem(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    ApiError::internal(format!("handler panicked: {text}")).into_response()
}

/// A token cancelled on SIGTERM or SIGINT.
pub fn shutdown_on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutdown requested");
        trigger.cancel();
    });
    token
}
