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

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

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
    anonymous: DefaultKeyedRateLimiter<String>,
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
            None => self.anonymous.check_key(&address_of(headers)),
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
            for budgets in [&self.tokens, &self.anonymous] {
                budgets.retain_recent();
                budgets.shrink_to_fit();
            }
        }
    }
}

/// The last `X-Forwarded-For` entry of `headers` (the address the gateway saw), `direct`
/// without a gateway, `unknown` when that entry is no IP address (the gateway always
/// writes one); it tells anonymous callers apart (budgets, download counts).
pub fn address_of(headers: &HeaderMap) -> String {
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|entry| !entry.is_empty());
    match last {
        None => "direct".into(),
        Some(entry) => entry
            .parse::<IpAddr>()
            .map_or_else(|_| "unknown".into(), |ip| ip.to_string()),
    }
}

/// Probes, metrics and the fleet's internal routes (which take the service secret) are
/// not budgeted.
fn exempt(path: &str) -> bool {
    path.starts_with("/health/") || path == "/metrics" || path.starts_with("/internal/")
}

/// The middleware: `429` when the caller's budget is spent.
pub async fn limit(
    State(limits): State<Arc<RateLimits>>,
    mut request: Request,
    next: Next,
) -> Response {
    if exempt(request.uri().path()) {
        return next.run(request).await;
    }
    let verified = limits.verified(request.headers()).await;
    let subject = verified.as_ref().map(|claims| claims.sub.as_str());
    match limits.take(subject, request.headers()) {
        Ok(()) => {
            if let Some(claims) = verified {
                request.extensions_mut().insert(VerifiedToken(claims));
            }
            next.run(request).await
        }
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
