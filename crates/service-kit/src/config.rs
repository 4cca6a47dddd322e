//! Typed service configuration from environment variables. A missing or malformed value
//! stops start-up with one line naming the variable.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use event_bus::{BusConfig, Topics};
use http::HeaderValue;

use crate::auth::AuthConfig;

use crate::credentials::TokenRules;
pub use crate::credentials::{DEV_JWT_SECRET, DEV_SIGNING_SECRET};
use crate::peers::Peers;
use crate::rate_limit::RateLimitConfig;

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("configuration error: {0} is required but not set")]
    Missing(&'static str),
    #[error("configuration error: {name} has an invalid value {value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Where the service runs; production refuses development shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Local,
    Production,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Everything a service reads from its environment.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub environment: Environment,
    /// `BIND_ADDR`, e.g. `127.0.0.1:8081`.
    pub bind: SocketAddr,
    /// `DATABASE_URL`: the service's own role.
    pub database_url: String,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub database_max_connections: u32,
    /// `KAFKA_BROKERS`, `KAFKA_TOPIC_PREFIX`, `KAFKA_PARTITIONS`.
    pub bus: BusConfig,
    /// `JWT_SECRET` or `JWT_JWKS_URL`.
    pub auth: AuthConfig,
    /// `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_MAX_LIFETIME_HOURS`.
    pub tokens: TokenRules,
    /// `CORS_ALLOWED_ORIGINS`, comma separated; shared, because the CORS layer is cloned
    /// for every request.
    pub cors_origins: Arc<[HeaderValue]>,
    /// `REQUEST_TIMEOUT_SECS`.
    pub request_timeout: Duration,
    /// `BODY_LIMIT_BYTES`.
    pub body_limit: usize,
    /// `HEADER_READ_TIMEOUT_SECS`: how long a client may take to send a request's head;
    /// also how long an idle keep-alive connection stays open.
    pub header_read_timeout: Duration,
    /// `OUTBOX_RETENTION_HOURS`.
    pub outbox_retention: Duration,
    /// `LOG_FORMAT` (`pretty` or `json`; `json` by default in production).
    pub log_format: LogFormat,
    /// `SIGNING_SECRET`: signs self-service links (speaker invitations, newsletter links).
    pub signing_secret: String,
    /// `PUBLIC_BASE_URL`: where links in mails point, e.g. `https://batbern.ch`.
    pub public_base_url: String,
    /// `WORKER_STALL_SECS`: a background worker silent this long makes the service unready.
    pub worker_stall: Duration,
    /// `CONSUMER_JOIN_TIMEOUT_SECS`: a consumer without a group assignment this long is
    /// replaced by a fresh group member.
    pub consumer_join_timeout: Duration,
    /// `STOP_GRACE_SECS`: how long a stop request (SIGTERM) waits for open requests and the
    /// workers' current round before the process exits anyway.
    pub stop_grace: Duration,
    /// `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_ANONYMOUS_PER_MINUTE`.
    pub rate_limits: RateLimitConfig,
    /// `<SERVICE>_URL` and `SERVICE_SECRET`: the other services' internal routes.
    pub peers: Peers,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME`:
    /// where traces go; none are exported without an endpoint.
    pub traces: Option<TraceExport>,
}

/// An OTLP/HTTP collector the service exports its spans to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceExport {
    /// The collector's base URL; spans go to `<endpoint>/v1/traces`.
    pub endpoint: String,
    pub protocol: TraceProtocol,
    /// `service.name` of the spans, when not the service's own name.
    pub service_name: Option<String>,
}

/// The OTLP/HTTP encodings (`http/protobuf`, the standard default, or `http/json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceProtocol {
    Protobuf,
    Json,
}

impl ServiceConfig {
    /// Reads the process environment; `default_port` is the service's local port.
    pub fn from_env(default_port: u16) -> Result<Self, ConfigError> {
        Self::from_lookup(default_port, |name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(
        default_port: u16,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let environment = match env.get("APP_ENV").as_deref() {
            None | Some("local") => Environment::Local,
            Some("production") => Environment::Production,
            Some(other) => return Err(invalid("APP_ENV", other, "expected local or production")),
        };
        let credentials = crate::credentials::read(environment, |name| env.get(name))?;
        let log_default = if environment == Environment::Production {
            LogFormat::Json
        } else {
            LogFormat::Pretty
        };
        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None => log_default,
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => return Err(invalid("LOG_FORMAT", other, "expected json or pretty")),
        };
        // A zero bound would close every connection before its first request.
        let header_read_timeout: u64 = env.parse_or("HEADER_READ_TIMEOUT_SECS", 30)?;
        if header_read_timeout == 0 {
            return Err(invalid(
                "HEADER_READ_TIMEOUT_SECS",
                "0",
                "expected at least 1",
            ));
        }
        Ok(Self {
            environment,
            bind: env.parse_or(
                "BIND_ADDR",
                SocketAddr::from(([127, 0, 0, 1], default_port)),
            )?,
            database_url: env.require("DATABASE_URL")?,
            database_max_connections: env.parse_or("DATABASE_MAX_CONNECTIONS", 10)?,
            bus: BusConfig {
                brokers: env.require("KAFKA_BROKERS")?,
                topics: Topics::new(
                    env.get("KAFKA_TOPIC_PREFIX")
                        .unwrap_or_else(|| "batbern".into()),
                ),
                partitions: env.parse_or("KAFKA_PARTITIONS", 3)?,
            },
            auth: credentials.auth,
            tokens: credentials.tokens,
            cors_origins: env.origins("CORS_ALLOWED_ORIGINS")?,
            request_timeout: Duration::from_secs(env.parse_or("REQUEST_TIMEOUT_SECS", 30)?),
            body_limit: env.parse_or("BODY_LIMIT_BYTES", 1024 * 1024)?,
            header_read_timeout: Duration::from_secs(header_read_timeout),
            outbox_retention: Duration::from_secs(
                3600 * env.parse_or::<u64>("OUTBOX_RETENTION_HOURS", 24 * 7)?,
            ),
            log_format,
            signing_secret: credentials.signing_secret,
            public_base_url: env
                .get("PUBLIC_BASE_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                .trim_end_matches('/')
                .to_owned(),
            worker_stall: Duration::from_secs(env.parse_or("WORKER_STALL_SECS", 30)?),
            consumer_join_timeout: Duration::from_secs(
                env.parse_or("CONSUMER_JOIN_TIMEOUT_SECS", 90)?,
            ),
            stop_grace: Duration::from_secs(env.parse_or("STOP_GRACE_SECS", 20)?),
            rate_limits: RateLimitConfig {
                per_token: env.parse_or(
                    "RATE_LIMIT_PER_MINUTE",
                    RateLimitConfig::default().per_token,
                )?,
                anonymous: env.parse_or(
                    "RATE_LIMIT_ANONYMOUS_PER_MINUTE",
                    RateLimitConfig::default().anonymous,
                )?,
            },
            peers: Peers::read(
                environment == Environment::Production,
                credentials.service_secret,
                |name| env.get(name),
            ),
            traces: trace_export(&env)?,
        })
    }
}

fn trace_export(env: &Env) -> Result<Option<TraceExport>, ConfigError> {
    const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
    const PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
    let Some(endpoint) = env.get(ENDPOINT) else {
        return Ok(None);
    };
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(invalid(
            ENDPOINT,
            &endpoint,
            "expected an http:// or https:// URL",
        ));
    }
    let protocol = match env.get(PROTOCOL).as_deref() {
        None | Some("http/protobuf") => TraceProtocol::Protobuf,
        Some("http/json") => TraceProtocol::Json,
        Some(other) => {
            return Err(invalid(
                PROTOCOL,
                other,
                "expected http/protobuf or http/json",
            ))
        }
    };
    Ok(Some(TraceExport {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        protocol,
        service_name: env.get("OTEL_SERVICE_NAME"),
    }))
}

struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn require(&self, name: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError::Missing(name))
    }

    /// The comma-separated origins in `name`, each one a browser could send (`*`, which
    /// a list of origins never matches, is refused rather than ignored).
    fn origins(&self, name: &'static str) -> Result<Arc<[HeaderValue]>, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(Arc::new([]));
        };
        raw.split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                let value = (o.starts_with("http://") || o.starts_with("https://"))
                    .then(|| o.parse::<HeaderValue>().ok())
                    .flatten();
                value.ok_or_else(|| {
                    invalid(
                        name,
                        &raw,
                        &format!("{o:?} is no origin such as https://app.example.org"),
                    )
                })
            })
            .collect()
    }

    fn parse_or<T: FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|e: T::Err| invalid(name, &raw, &e.to_string())),
        }
    }
}

fn invalid(name: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<ServiceConfig, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ServiceConfig::from_lookup(8081, move |name| map.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        ("DATABASE_URL", "postgres://x@127.0.0.1/db"),
        ("KAFKA_BROKERS", "127.0.0.1:9092"),
    ];

    #[test]
    fn cors_origins_are_origins_and_a_wildcard_is_refused() {
        let with = |origins: &str| {
            let mut pairs = BASE.to_vec();
            pairs.push(("CORS_ALLOWED_ORIGINS", origins));
            config(&pairs)
        };
        let c = with(" https://app.example.org, http://localhost:5173 ,").unwrap();
        let origins: Vec<_> = c.cors_origins.iter().map(|o| o.to_str().unwrap()).collect();
        assert_eq!(
            origins,
            ["https://app.example.org", "http://localhost:5173"]
        );
        for bad in ["*", "https://app.example.org,*", "app.example.org"] {
            let error = with(bad).unwrap_err().to_string();
            assert!(error.contains("CORS_ALLOWED_ORIGINS"), "{bad}: {error}");
        }
        assert!(config(&BASE).unwrap().cors_origins.is_empty());
    }

    #[test]
    fn local_defaults_apply() {
        let c = config(&BASE).unwrap();
        assert_eq!(c.bind.port(), 8081);
        assert!(matches!(c.auth, AuthConfig::Hs256 { ref secret } if secret == DEV_JWT_SECRET));
        assert_eq!(c.log_format, LogFormat::Pretty);
    }

    #[test]
    fn missing_and_malformed_values_name_the_variable() {
        assert_eq!(
            config(&BASE[..1]).unwrap_err().to_string(),
            "configuration error: KAFKA_BROKERS is required but not set"
        );
        let mut pairs = BASE.to_vec();
        pairs.push(("REQUEST_TIMEOUT_SECS", "soon"));
        assert!(config(&pairs)
            .unwrap_err()
            .to_string()
            .contains("REQUEST_TIMEOUT_SECS"));
    }

    #[test]
    fn a_header_read_timeout_of_zero_is_refused() {
        assert_eq!(
            config(&BASE).unwrap().header_read_timeout,
            Duration::from_secs(30)
        );
        let mut pairs = BASE.to_vec();
        pairs.push(("HEADER_READ_TIMEOUT_SECS", "0"));
        assert!(config(&pairs)
            .unwrap_err()
            .to_string()
            .contains("HEADER_READ_TIMEOUT_SECS"));
    }

    #[test]
    fn traces_are_exported_only_to_a_configured_collector() {
        assert_eq!(config(&BASE).unwrap().traces, None);
        let mut pairs = BASE.to_vec();
        pairs.push(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"));
        let traces = config(&pairs).unwrap().traces.unwrap();
        assert_eq!(traces.endpoint, "http://collector:4318");
        assert_eq!(traces.protocol, TraceProtocol::Protobuf);
        pairs.push(("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
        assert!(config(&pairs)
            .unwrap_err()
            .to_string()
            .contains("OTEL_EXPORTER_OTLP_PROTOCOL"));
        let mut pairs = BASE.to_vec();
        pairs.push(("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"));
        assert!(config(&pairs)
            .unwrap_err()
            .to_string()
            .contains("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    #[test]
    fn production_requires_a_real_key_source() {
        let mut pairs = BASE.to_vec();
        pairs.push(("APP_ENV", "production"));
        assert_eq!(
            config(&pairs).unwrap_err(),
            ConfigError::Missing("JWT_JWKS_URL")
        );
        pairs.push(("JWT_JWKS_URL", "https://id.example/jwks"));
        assert_eq!(
            config(&pairs).unwrap_err(),
            ConfigError::Missing("SIGNING_SECRET")
        );
        pairs.push((
            "SIGNING_SECRET",
            "a-production-signing-key-of-40-bytes-long",
        ));
        pairs.push(("JWT_ISSUER", "https://id.example"));
        pairs.push(("JWT_AUDIENCE", "batbern-api"));
        pairs.push(("SERVICE_SECRET", "a-production-service-secret-of-40-bytes"));
        assert_eq!(config(&pairs).unwrap().log_format, LogFormat::Json);
    }
}
