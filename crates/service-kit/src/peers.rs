//! How the fleet's services reach each other's internal routes: where each one answers
//! (`<NAME>_URL`, by default the registry's local port, or the service's own host name in
//! production) and the secret they present (`SERVICE_SECRET`). Internal routes live under
//! `/internal/`, outside `/api/v1`, so no gateway routes them.
//!
//! The one internal route today hands out a person's key for sealed personal data
//! ([`crate::person_keys`]).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared_domain::contracts::Sealed;
use sqlx::PgPool;
use uuid::Uuid;

use crate::person_keys::{self, SealError};
use crate::problem::ApiError;

/// The secret the local fleet's services share when `SERVICE_SECRET` is not given (never
/// in production).
pub const DEV_SERVICE_SECRET: &str = "batbern-local-service-secret";

/// The fleet's services and their local ports (as in `deploy/services.toml`).
const SERVICES: [(&str, u16); 5] = [
    ("companies", 8081),
    ("events", 8082),
    ("speakers", 8083),
    ("attendees", 8085),
    ("notifications", 8087),
];

/// Where the other services answer and what to present to them.
#[derive(Clone)]
pub struct Peers {
    urls: BTreeMap<&'static str, String>,
    secret: String,
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
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self { urls, secret, http }
    }

    /// The secret callers of internal routes present.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Person `id`'s key from `owner` (the service that sealed their data): none once the
    /// person is erased.
    pub async fn person_key(&self, owner: &str, id: Uuid) -> Result<Option<Vec<u8>>, PeerError> {
        let unreachable = |reason: String| PeerError::Unreachable {
            service: owner.to_owned(),
            reason,
        };
        let base = self
            .urls
            .get(owner)
            .ok_or_else(|| unreachable("not a service of the fleet".into()))?;
        let response = self
            .http
            .get(format!("{base}/internal/person-keys/{id}"))
            .bearer_auth(&self.secret)
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        match response.status().as_u16() {
            404 => Ok(None),
            200 => {
                let answer: KeyAnswer = response
                    .json()
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                let key = STANDARD
                    .decode(answer.key)
                    .map_err(|_| unreachable("the key is not base64".into()))?;
                Ok(Some(key))
            }
            status => Err(unreachable(format!("answered {status}"))),
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

#[derive(Clone)]
struct KeyRoute {
    pool: PgPool,
    secret_digest: [u8; 32],
}

/// `GET /internal/person-keys/{id}`: the key of a person this service seals data for, to
/// callers presenting the service secret; 404 once the person is erased.
pub fn person_key_routes(pool: PgPool, peers: &Peers) -> Router {
    let state = KeyRoute {
        pool,
        secret_digest: Sha256::digest(peers.secret.as_bytes()).into(),
    };
    Router::new()
        .route("/internal/person-keys/{id}", get(person_key))
        .with_state(state)
}

async fn person_key(
    State(route): State<KeyRoute>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<axum::Json<KeyAnswer>, ApiError> {
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests of equal length compared whole: the answer time tells nothing of the secret.
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    if digest
        .iter()
        .zip(route.secret_digest)
        .fold(0, |acc, (a, b)| acc | (a ^ b))
        != 0
    {
        return Err(ApiError::unauthenticated(
            "This route is for the fleet's services",
        ));
    }
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::malformed_field("id", "not a UUID"))?;
    let mut conn = route.pool.acquire().await?;
    match person_keys::existing_key(&mut conn, id).await? {
        Some(key) => Ok(axum::Json(KeyAnswer {
            key: STANDARD.encode(key),
        })),
        None => Err(ApiError::not_found("No key for this person")),
    }
}
