//! `Idempotency-Key` on creating POSTs. The key row is inserted at the start of the
//! handler's transaction and the response saved in it before commit, so the work and its
//! recorded answer commit together. A concurrent retry with the same key blocks on the
//! key's row until the first commits, then replays its answer; the same key with a
//! different body is a 422.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::problem::{ApiError, ProblemKind};

/// The client's idempotency key, if it sent one (an empty header counts as none).
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        // Any header value of printable ASCII (spaces and tabs included), as a structured
        // header string allows.
        let printable = |b: u8| b == b'\t' || (0x20..=0x7e).contains(&b);
        match raw.to_str() {
            Ok("") => Ok(IdempotencyKey(None)),
            Ok(key) if key.len() <= 255 && key.bytes().all(printable) => {
                Ok(IdempotencyKey(Some(key.to_owned())))
            }
            _ => Err(ApiError::malformed_field(
                "Idempotency-Key",
                "must be at most 255 printable ASCII characters",
            )),
        }
    }
}

/// What to do after [`begin`].
pub enum Begin {
    /// First use of the key: do the work, then [`complete`].
    Proceed,
    /// The key was used before with the same request: answer this.
    Replay(Response),
}

/// A response as stored for replay.
pub struct SavedResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl SavedResponse {
    /// A JSON response to send and store.
    pub fn json(status: StatusCode, headers: HeaderMap, body: &impl Serialize) -> Self {
        let mut headers = headers;
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Self {
            status,
            headers,
            body: serde_json::to_vec(body).expect("response bodies serialize"),
        }
    }
}

impl IntoResponse for SavedResponse {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// A creating request under its `Idempotency-Key` (or without one): [`Idempotent::begin`]
/// in the handler's transaction, the work, then [`Idempotent::finish`] with the answer
/// before commit. Every creating POST of every service goes through this.
pub struct Idempotent {
    claim: Option<(String, String)>,
}

/// What to do after [`Idempotent::begin`].
pub enum Attempt {
    /// Do the work.
    Proceed(Idempotent),
    /// The same request came before with this key: answer this, do nothing.
    Replay(Response),
}

impl Idempotent {
    /// Claims `key` for `actor` (the token subject) with the request's [`fingerprint`]
    /// (taken before the handler consumes the request), or finds the answer recorded for it.
    pub async fn begin(
        conn: &mut PgConnection,
        actor: &str,
        key: IdempotencyKey,
        request_fingerprint: &str,
    ) -> Result<Attempt, ApiError> {
        let Some(key) = key.0 else {
            return Ok(Attempt::Proceed(Idempotent { claim: None }));
        };
        Ok(match begin(conn, actor, &key, request_fingerprint).await? {
            Begin::Replay(response) => Attempt::Replay(response),
            Begin::Proceed => Attempt::Proceed(Idempotent {
                claim: Some((actor.to_owned(), key)),
            }),
        })
    }

    /// Records `response` for the key in the same transaction as the work, and returns it.
    pub async fn finish(
        self,
        conn: &mut PgConnection,
        response: SavedResponse,
    ) -> Result<Response, ApiError> {
        if let Some((actor, key)) = &self.claim {
            complete(conn, actor, key, &response).await?;
        }
        Ok(response.into_response())
    }
}

/// `201 Created` with the new resource's `Location` (and `ETag` when it is versioned).
pub fn created(location: String, version: Option<i64>, body: &impl Serialize) -> SavedResponse {
    let mut headers = version.map(crate::etag::etag_header).unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(axum::http::header::LOCATION, value);
    }
    SavedResponse::json(StatusCode::CREATED, headers, body)
}

/// A stable fingerprint of a request body.
pub fn fingerprint(body: &impl Serialize) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(body).expect("request bodies serialize"),
    ))
}

/// Claims `key` for `actor` inside the handler's transaction, or finds its earlier answer.
pub async fn begin(
    conn: &mut PgConnection,
    actor: &str,
    key: &str,
    request_hash: &str,
) -> Result<Begin, ApiError> {
    let claimed = sqlx::query(
        "insert into idempotency_keys (actor, idempotency_key, request_hash) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(actor)
    .bind(key)
    .bind(request_hash)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        return Ok(Begin::Proceed);
    }
    let saved: (String, Option<i16>, Option<serde_json::Value>, Option<Vec<u8>>) = sqlx::query_as(
        "select request_hash, response_status, response_headers, response_body from idempotency_keys \
         where actor = $1 and idempotency_key = $2",
    )
    .bind(actor)
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    match saved {
        (hash, _, _, _) if hash != request_hash => Err(ApiError::new(
            ProblemKind::ValidationFailed,
            "This Idempotency-Key was already used with a different request body",
        )
        .with("errors", serde_json::json!([{"field": "Idempotency-Key", "message": "was used with a different body"}]))),
        (_, Some(status), headers, body) => {
            let mut map = HeaderMap::new();
            if let Some(serde_json::Value::Object(pairs)) = headers {
                for (name, value) in pairs {
                    if let (Ok(name), Some(Ok(value))) =
                        (HeaderName::try_from(name.as_str()), value.as_str().map(HeaderValue::from_str))
                    {
                        map.insert(name, value);
                    }
                }
            }
            map.insert("idempotent-replayed", HeaderValue::from_static("true"));
            let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
            Ok(Begin::Replay(SavedResponse { status, headers: map, body: body.unwrap_or_default() }.into_response()))
        }
        (_, None, _, _) => Err(ApiError::conflict("A request with this Idempotency-Key is still in progress")),
    }
}

/// Stores the answer for `key` in the same transaction as the work.
pub async fn complete(
    conn: &mut PgConnection,
    actor: &str,
    key: &str,
    response: &SavedResponse,
) -> Result<(), ApiError> {
    let headers: serde_json::Map<String, serde_json::Value> = response
        .headers
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.to_string(),
                serde_json::Value::String(value.to_str().ok()?.to_owned()),
            ))
        })
        .collect();
    sqlx::query(
        "update idempotency_keys set response_status = $3, response_headers = $4, response_body = $5 \
         where actor = $1 and idempotency_key = $2",
    )
    .bind(actor)
    .bind(key)
    .bind(response.status.as_u16() as i16)
    .bind(serde_json::Value::Object(headers))
    .bind(&response.body)
    .execute(conn)
    .await?;
    Ok(())
}
