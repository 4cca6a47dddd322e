//! Rate limits: every caller holding a token has a budget per minute, and anonymous
//! callers one per client address, so nobody can flood a service or make it mail someone
//! over and over. A request over budget is answered `429` (problem+json) with
//! `Retry-After`. Health, readiness and metrics are never limited.
//!
//! A token counts as the caller only once it verifies (signature, issuer, audience,
//! lifetime): a request whose token does not is budgeted as anonymous, so made-up tokens
//! buy no budget of their own. The budgets of callers quiet for a while are forgotten.
//!
//! The client address is the last `X-Forwarded-For` entry: the one the gateway appends
//! for the peer it saw (the entries before it are whatever the client sent).

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use futures::future::{BoxFuture, Ready};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower::{Layer, Service};

use crate::auth::{bearer_of, Authenticator, Claims, VerifiedToken};
use crate::problem::ApiError;

/// Requests between two sweeps of the budgets of callers gone quiet.
const SWEEP_EVERY: u32 = 4096;

/// Requests per minute, per token and per anonymous client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `RATE_LIMIT_PER_MINUTE`: per token.
    pub per_token: NonZeroU32,
    /// `RATE_LIMIT_ANONYMOUS_PER_MINUTE`: per client address without a token.
    pub anonymous: NonZeroU32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_token: NonZeroU32::new(1200).expect("non-zero"),
            anonymous: NonZeroU32::new(120).expect("non-zero"),
        }
    }
}

/// The budgets of one service.
pub struct RateLimits {
    tokens: DefaultKeyedRateLimiter<String>,
    anonymous: DefaultKeyedRateLimiter<ClientAddress>,
    auth: Arc<Authenticator>,
    since_sweep: AtomicU32,
}

impl RateLimits {
    /// Budgets per `config`; `auth` tells a caller's token from a made-up one.
    pub fn new(config: RateLimitConfig, auth: Arc<Authenticator>) -> Arc<Self> {
        Arc::new(Self {
            tokens: RateLimiter::keyed(Quota::per_minute(config.per_token)),
            anonymous: RateLimiter::keyed(Quota::per_minute(config.anonymous)),
            auth,
            since_sweep: AtomicU32::new(0),
        })
    }

    /// The claims of the request's bearer token, if it carries one that verifies.
    async fn verified(&self, headers: &HeaderMap) -> Option<Claims> {
        self.auth.verify(bearer_of(headers)?).await.ok()
    }

    /// Takes one request from the budget of `subject` (a verified token's) or, without
    /// one, of the client address; `Err` holds the seconds to wait.
    fn take(&self, subject: Option<&str>, headers: &HeaderMap) -> Result<(), u64> {
        self.sweep_now_and_then();
        let outcome = match subject {
            Some(subject) => self.tokens.check_key(&subject.to_owned()),
            None => self.anonymous.check_key(&client_of(headers)),
        };
        outcome.map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forgets, every [`SWEEP_EVERY`] requests, the budgets that are full again: a
    /// caller's state lives only while it is spending.
    fn sweep_now_and_then(&self) {
        if self.since_sweep.fetch_add(1, Ordering::Relaxed) + 1 >= SWEEP_EVERY {
            self.since_sweep.store(0, Ordering::Relaxed);
            self.tokens.retain_recent();
            self.tokens.shrink_to_fit();
            self.anonymous.retain_recent();
            self.anonymous.shrink_to_fit();
        }
    }
}

/// An anonymous caller as its budget knows it: the address the gateway saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAddress {
    /// No gateway in between (no `X-Forwarded-For`).
    Direct,
    /// The last entry is no IP address (the gateway always writes one).
    Unknown,
    /// The address the gateway saw.
    Ip(IpAddr),
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => f.write_str("direct"),
            Self::Unknown => f.write_str("unknown"),
            Self::Ip(ip) => fmt::Display::fmt(ip, f),
        }
    }
}

/// The last `X-Forwarded-For` entry of `headers` (the address the gateway saw); it tells
/// anonymous callers apart.
pub fn client_of(headers: &HeaderMap) -> ClientAddress {
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|entry| !entry.is_empty());
    match last {
        None => ClientAddress::Direct,
        Some(entry) => entry
            .parse::<IpAddr>()
            .map_or(ClientAddress::Unknown, ClientAddress::Ip),
    }
}

/// [`client_of`] as text: `direct`, `unknown` or the address (budgets, download counts).
pub fn address_of(headers: &HeaderMap) -> String {
    client_of(headers).to_string()
}

/// Probes, metrics and the fleet's internal routes (which take the service secret) are
/// not budgeted.
fn exempt(path: &str) -> bool {
    path.starts_with("/health/") || path == "/metrics" || path.starts_with("/internal/")
}

/// The middleware's layer: `429` when the caller's budget is spent.
#[derive(Clone)]
pub struct RateLimitLayer(pub Arc<RateLimits>);

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimited<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimited {
            inner,
            limits: self.0.clone(),
        }
    }
}

/// `inner` behind the budgets.
#[derive(Clone)]
pub struct RateLimited<S> {
    inner: S,
    limits: Arc<RateLimits>,
}

impl<S, B> Service<Request> for RateLimited<S>
where
    S: Service<Request, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Limited<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        if exempt(request.uri().path()) {
            return Limited::Passing {
                inner: self.inner.call(request),
            };
        }
        // Without a token the budget is decided at once; a token is verified first, which
        // may wait (for the issuer's keys), so only then is the rest of the way boxed.
        if bearer_of(request.headers()).is_none() {
            return match self.limits.take(None, request.headers()) {
                Ok(()) => Limited::Passing {
                    inner: self.inner.call(request),
                },
                Err(seconds) => Limited::Refused {
                    answer: futures::future::ready(too_many(seconds)),
                },
            };
        }
        // The service made ready is the one called; its clone stays for the next request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let limits = self.limits.clone();
        Limited::Verifying {
            answer: Box::pin(async move {
                let verified = limits.verified(request.headers()).await;
                let subject = verified.as_ref().map(|claims| claims.sub.as_str());
                if let Err(seconds) = limits.take(subject, request.headers()) {
                    return Ok(too_many(seconds));
                }
                if let Some(claims) = verified {
                    request.extensions_mut().insert(VerifiedToken(claims));
                }
                Ok(inner.call(request).await?.map(Body::new))
            }),
        }
    }
}

pin_project_lite::pin_project! {
    /// The answer of a request behind the budgets.
    #[project = Projected]
    pub enum Limited<F, E> {
        Passing { #[pin] inner: F },
        Refused { answer: Ready<Response> },
        Verifying { answer: BoxFuture<'static, Result<Response, E>> },
    }
}

impl<F, B, E> Future for Limited<F, E>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            Projected::Passing { inner } => inner
                .poll(cx)
                .map(|answer| answer.map(|response| response.map(Body::new))),
            Projected::Refused { answer } => Pin::new(answer).poll(cx).map(Ok),
            Projected::Verifying { answer } => answer.as_mut().poll(cx),
        }
    }
}

/// The `429` of a spent budget, to be tried again in `seconds`.
fn too_many(seconds: u64) -> Response {
    let mut response = ApiError::new(
        crate::ProblemKind::TooManyRequests,
        format!("Too many requests; try again in {seconds} s"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::time::Duration;

    use tower::ServiceExt;

    use super::*;
    use crate::auth::{mint_hs256, AuthConfig};
    use crate::credentials::TokenRules;

    /// Budgets of one request a minute, in front of a service that answers whose
    /// verified token it saw.
    fn limited() -> RateLimited<
        impl Service<Request, Response = Response, Error = Infallible, Future: Send>
            + Clone
            + Send
            + 'static,
    > {
        let one = NonZeroU32::new(1).expect("non-zero");
        let auth = Authenticator::new(
            &AuthConfig::Hs256 {
                secret: "s3cret".into(),
            },
            TokenRules {
                issuer: "https://id.test".into(),
                audience: "batbern-api".into(),
                max_lifetime: Duration::from_secs(3600),
            },
        );
        let limits = RateLimits::new(
            RateLimitConfig {
                per_token: one,
                anonymous: one,
            },
            auth,
        );
        RateLimitLayer(limits).layer(tower::service_fn(|request: Request| async move {
            let subject = request
                .extensions()
                .get::<VerifiedToken>()
                .map_or("anonymous".to_owned(), |token| token.0.sub.clone());
            Ok::<_, Infallible>(Response::new(Body::from(subject)))
        }))
    }

    fn token(subject: &str, secret: &str) -> String {
        let claims: Claims = serde_json::from_value(serde_json::json!({
            "sub": subject,
            "roles": ["attendee"],
            "exp": chrono::Utc::now().timestamp() + 600,
            "iss": "https://id.test",
            "aud": "batbern-api",
        }))
        .expect("claims");
        mint_hs256(secret, &claims)
    }

    /// The status, `Retry-After` and body of the answer to `path` with `headers`.
    async fn ask(
        service: &RateLimited<
            impl Service<Request, Response = Response, Error = Infallible, Future: Send>
                + Clone
                + Send
                + 'static,
        >,
        path: &str,
        headers: &[(&str, String)],
    ) -> (u16, Option<String>, String) {
        let mut request = Request::builder().uri(path);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = service
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get(RETRY_AFTER)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .expect("body");
        (status, retry, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn an_anonymous_address_spends_its_own_budget_and_probes_spend_none() {
        let service = limited();
        let from = |ip: &str| [("x-forwarded-for", ip.to_owned())];
        let first = ask(&service, "/api/v1/events", &from("198.51.100.1")).await;
        assert_eq!((first.0, first.2.as_str()), (200, "anonymous"));
        let again = ask(&service, "/api/v1/events", &from("198.51.100.1")).await;
        assert_eq!(again.0, 429);
        assert!(again
            .1
            .is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)));
        assert_eq!(
            ask(&service, "/api/v1/events", &from("198.51.100.2"))
                .await
                .0,
            200
        );
        for _ in 0..3 {
            assert_eq!(
                ask(&service, "/health/ready", &from("198.51.100.1"))
                    .await
                    .0,
                200
            );
        }
    }

    #[tokio::test]
    async fn a_verified_token_has_its_own_budget_and_a_forged_one_counts_as_anonymous() {
        let service = limited();
        let bearer = |token: String| [("authorization", format!("Bearer {token}"))];
        let verified = ask(&service, "/api/v1/events", &bearer(token("u-1", "s3cret"))).await;
        assert_eq!(
            (verified.0, verified.2.as_str()),
            (200, "u-1"),
            "the token reaches the handler verified"
        );
        assert_eq!(
            ask(&service, "/api/v1/events", &bearer(token("u-1", "s3cret")))
                .await
                .0,
            429
        );
        let forged = bearer(token("u-2", "guessed"));
        let first = ask(&service, "/api/v1/events", &forged).await;
        assert_eq!((first.0, first.2.as_str()), (200, "anonymous"));
        assert_eq!(
            ask(&service, "/api/v1/events", &[]).await.0,
            429,
            "the forged token spent the anonymous budget"
        );
    }

    fn forwarded(value: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        address_of(&headers)
    }

    #[test]
    fn the_address_is_the_last_forwarded_ip_and_nothing_else() {
        assert_eq!(address_of(&HeaderMap::new()), "direct");
        assert_eq!(forwarded("203.0.113.9, 198.51.100.1"), "198.51.100.1");
        assert_eq!(forwarded("2001:db8::1"), "2001:db8::1");
        assert_eq!(forwarded(&"x".repeat(5000)), "unknown");
    }
}
