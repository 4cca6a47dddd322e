//! What every BATbern service's HTTP side shares, so that a service is its router, its
//! domain and its store: configuration, tracing, problem+json errors, extractors that
//! answer bad input with problems, authentication, pagination, ETags, idempotency keys,
//! health/metrics/ops routes, the database pool with migrations, and the server bootstrap
//! with graceful shutdown.

pub mod around;
pub mod auth;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod db;
pub mod directory;
pub mod email_change;
pub mod email_change_page;
pub mod erasure;
pub mod etag;
pub mod extract;
pub mod grants;
pub mod headers;
pub mod idempotency;
pub mod listener;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod pagination;
pub mod patch;
pub mod peers;
pub mod person_keys;
pub mod problem;
pub mod problem_details;
pub mod rate_limit;
pub mod read_model;
pub mod redact;
pub mod request_id;
pub mod server;
pub mod stored;
pub mod telemetry;

pub use auth::{Actor, Authenticator, Owner, Role};
pub use config::{ConfigError, ServiceConfig};
pub use extract::{Json, Path, Query, RequestContext};
pub use problem::{ApiError, ProblemKind};
pub use server::{Platform, ServiceSpec};
pub use stored::Stored;
