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
            Self::Ip(ip) => ip.fmt(f),
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
    use super::*;

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
