//! Rate limits: every caller holding a token has a budget per minute, and anonymous
//! callers one per client address, so nobody can flood a service or make it mail someone
//! over and over. A request over budget is answered `429` (problem+json) with
//! `Retry-After`. Health, readiness and metrics are never limited.
//!
//! The client address is the last `X-Forwarded-For` entry: the one the gateway appends
//! for the peer it saw (the entries before it are whatever the client sent).

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::ApiError;

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
    anonymous: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> Arc<Self> {
        Arc::new(Self {
            tokens: RateLimiter::keyed(Quota::per_minute(config.per_token)),
            anonymous: RateLimiter::keyed(Quota::per_minute(config.anonymous)),
        })
    }

    /// Takes one request from the caller's budget; `Err` holds the seconds to wait.
    fn take(&self, request: &Request) -> Result<(), u64> {
        let outcome = match request.headers().get(AUTHORIZATION) {
            // The signature part is unique per token; the token is verified later.
            Some(value) => {
                let token = value.as_bytes();
                let tail = &token[token.len().saturating_sub(48)..];
                self.tokens
                    .check_key(&String::from_utf8_lossy(tail).into_owned())
            }
            None => self.anonymous.check_key(&client_address(request)),
        };
        outcome.map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// The address the gateway saw the request come from (`direct` without a gateway).
fn client_address(request: &Request) -> String {
    address_of(request.headers())
}

/// The last `X-Forwarded-For` entry of `headers` (the address the gateway saw), `direct`
/// without a gateway; it tells anonymous callers apart (budgets, download counts).
pub fn address_of(headers: &axum::http::HeaderMap) -> String {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|entry| !entry.is_empty())
        .unwrap_or("direct")
        .to_owned()
}

/// Probes, metrics and the fleet's internal routes (which take the service secret) are
/// not budgeted.
fn exempt(path: &str) -> bool {
    path.starts_with("/health/") || path == "/metrics" || path.starts_with("/internal/")
}

/// The middleware: `429` when the caller's budget is spent.
pub async fn limit(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    if exempt(request.uri().path()) {
        return next.run(request).await;
    }
    match limits.take(&request) {
        Ok(()) => next.run(request).await,
        Err(seconds) => {
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
    }
}
