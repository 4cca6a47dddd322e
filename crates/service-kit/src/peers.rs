//! How the fleet's services reach each other's internal routes: where each one answers
//! (`<NAME>_URL`, by default the registry's local port, or the service's own host name in
//! production) and the secret they present (`SERVICE_SECRET`). Internal routes live under
//! `/internal/`, outside `/api/v1`, so no gateway routes them.
//!
//! Internal routes: a person's key for sealed personal data ([`crate::person_keys`]), and
//! what a service holds about a person, which the owning service gathers into one export.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use shared_domain::contracts::Sealed;
use sqlx::PgPool;
use uuid::Uuid;

use crate::person_keys::{self, SealError};
use crate::problem::{ApiError, ProblemKind};

/// The secret the local fleet's services share when `SERVICE_SECRET` is not given (never
/// in production).
pub const DEV_SERVICE_SECRET: &str = "batbern-local-service-secret";

/// The fleet's services and their local ports (as in `deploy/services.toml`).
const SERVICES: [(&str, u16); 6] = [
    ("companies", 8081),
    ("events", 8082),
    ("speakers", 8083),
    ("attendees", 8085),
    ("partners", 8086),
    ("notifications", 8087),
];

/// Where the other services answer and what to present to them.
#[derive(Clone)]
pub struct Peers {
    // Shared, so that cloning the peers (handler state is cloned per request) copies
    // nothing.
    urls: Arc<BTreeMap<&'static str, String>>,
    secret: Arc<str>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Peers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peers")
            .field("urls", &self.urls)
            .finish_non_exhaustive()
    }
}

/// A peer could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("{service} is not reachable: {reason}")]
    Unreachable { service: String, reason: String },
    #[error(transparent)]
    Seal(#[from] SealError),
}

impl From<PeerError> for ApiError {
    fn from(error: PeerError) -> Self {
        match error {
            PeerError::Unreachable { service, .. } => ApiError::new(
                ProblemKind::Unavailable,
                format!("The {service} service does not answer; try again shortly"),
            ),
            PeerError::Seal(error) => error.into(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct KeyAnswer {
    key: String,
}

impl Peers {
    /// Reads `<NAME>_URL` for every service through `get`; a missing one is the local port
    /// (or, in production, `http://<name>:<port>`, the service's name in compose and
    /// Kubernetes).
    pub fn read(production: bool, secret: String, get: impl Fn(&str) -> Option<String>) -> Self {
        let urls = SERVICES
            .iter()
            .map(|(name, port)| {
                let variable = format!("{}_URL", name.to_uppercase());
                let fallback = if production {
                    format!("http://{name}:{port}")
                } else {
                    format!("http://127.0.0.1:{port}")
                };
                let url = get(&variable).unwrap_or(fallback);
                (*name, url.trim_end_matches('/').to_owned())
            })
            .collect();
        // Idle connections are dropped before the peer's own bound on them
        // (`HEADER_READ_TIMEOUT_SECS`, 30 s by default), so none is reused just as
        // the peer closes it.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            urls: Arc::new(urls),
            secret: secret.into(),
            http,
        }
    }

    /// The secret callers of internal routes present.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Person `id`'s key from `owner` (the service that sealed their data): none once the
    /// person is erased.
    pub async fn person_key(&self, owner: &str, id: Uuid) -> Result<Option<Vec<u8>>, PeerError> {
        let Some(answer) = self
            .get::<KeyAnswer>(owner, &format!("person-keys/{id}"))
            .await?
        else {
            return Ok(None);
        };
        let key = STANDARD
            .decode(answer.key)
            .map_err(|_| not_answering(owner, "the key is not base64".into()))?;
        Ok(Some(key))
    }

    /// What each of `services` holds about person `id`, by service.
    pub async fn gather(
        &self,
        id: Uuid,
        services: &[&str],
    ) -> Result<BTreeMap<String, Value>, PeerError> {
        let mut held = BTreeMap::new();
        for service in services {
            let rows = self
                .get::<Value>(service, &format!("people/{id}/export"))
                .await?;
            held.insert((*service).to_owned(), rows.unwrap_or(Value::Null));
        }
        Ok(held)
    }

    /// `GET /internal/<path>` of `service`: none on 404.
    async fn get<T: DeserializeOwned>(
        &self,
        service: &str,
        path: &str,
    ) -> Result<Option<T>, PeerError> {
        let base = self
            .urls
            .get(service)
            .ok_or_else(|| not_answering(service, "not a service of the fleet".into()))?;
        let response = self
            .http
            .get(format!("{base}/internal/{path}"))
            .bearer_auth(&self.secret)
            .send()
            .await
            .map_err(|e| not_answering(service, e.to_string()))?;
        match response.status().as_u16() {
            404 => Ok(None),
            200 => response
                .json()
                .await
                .map(Some)
                .map_err(|e| not_answering(service, e.to_string())),
            status => Err(not_answering(service, format!("answered {status}"))),
        }
    }

    /// Opens `sealed` with its person's key from `owner`: none once the person is erased.
    pub async fn open<T: DeserializeOwned>(
        &self,
        owner: &str,
        sealed: &Sealed<T>,
    ) -> Result<Option<T>, PeerError> {
        match self.person_key(owner, sealed.key_id).await? {
            Some(key) => Ok(Some(person_keys::open_with(&key, sealed)?)),
            None => Ok(None),
        }
    }
}

fn not_answering(service: &str, reason: String) -> PeerError {
    PeerError::Unreachable {
        service: service.to_owned(),
        reason,
    }
}

/// `GET /internal/person-keys/{id}`: the key of a person this service seals data for; 404
/// once the person is erased.
pub fn person_key_routes(pool: PgPool, peers: &Peers) -> Router {
    internal(
        Router::new()
            .route("/internal/person-keys/{id}", get(person_key))
            .with_state(pool),
        peers,
    )
}

async fn person_key(
    State(pool): State<PgPool>,
    Path(id): Path<String>,
) -> Result<axum::Json<KeyAnswer>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::malformed_field("id", "not a UUID"))?;
    let mut conn = pool.acquire().await?;
    match person_keys::existing_key(&mut conn, id).await? {
        Some(key) => Ok(axum::Json(KeyAnswer {
            key: STANDARD.encode(key),
        })),
        None => Err(ApiError::not_found("No key for this person")),
    }
}

/// Where a service keeps rows about a person: a table and the condition on the person's id
/// (`$1`), e.g. `("seat_reservations", "attendee_id = $1")`. Both come from the code.
pub type Holding = (&'static str, &'static str);

/// `GET /internal/people/{id}/export`: the rows of `holdings` about person `id`, by table,
/// secrets redacted; the owning service gathers them into the person's export.
pub fn holdings_routes(pool: PgPool, peers: &Peers, holdings: &'static [Holding]) -> Router {
    let export = move |State(pool): State<PgPool>, Path(id): Path<String>| async move {
        let id = Uuid::parse_str(&id).map_err(|_| ApiError::malformed_field("id", "not a UUID"))?;
        rows_about(&pool, id, holdings).await.map(axum::Json)
    };
    internal(
        Router::new()
            .route("/internal/people/{id}/export", get(export))
            .with_state(pool),
        peers,
    )
}

/// The rows of `holdings` about person `id`, by table, secrets redacted.
pub async fn rows_about(pool: &PgPool, id: Uuid, holdings: &[Holding]) -> Result<Value, ApiError> {
    let mut held = Map::new();
    for (table, condition) in holdings {
        let sql = format!(
            "select coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) from {table} t where {condition}"
        );
        let rows: Value = sqlx::query_scalar(&sql).bind(id).fetch_one(pool).await?;
        held.insert((*table).to_owned(), crate::redact::json(rows));
    }
    Ok(Value::Object(held))
}

/// Only callers presenting the service secret reach `router`.
fn internal(router: Router, peers: &Peers) -> Router {
    let digest: [u8; 32] = Sha256::digest(peers.secret.as_bytes()).into();
    router.route_layer(middleware::from_fn_with_state(digest, require_secret))
}

async fn require_secret(
    State(expected): State<[u8; 32]>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests of equal length compared whole: the answer time tells nothing of the secret.
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    if digest
        .iter()
        .zip(expected)
        .fold(0, |acc, (a, b)| acc | (a ^ b))
        != 0
    {
        return ApiError::unauthenticated("This route is for the fleet's services").into_response();
    }
    next.run(request).await
}
