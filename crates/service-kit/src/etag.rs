//! Optimistic concurrency over HTTP: an aggregate's `version` is its strong `ETag`, and a
//! write to it must name the version it saw in `If-Match` (428 without, 412 when stale).

use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};

use crate::problem::{ApiError, ProblemKind};

/// The `ETag` header value for `version`.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

/// A header map holding the `ETag` of `version`.
pub fn etag_header(version: i64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ETAG, etag(version));
    headers
}

/// The version a write expects, from `If-Match`. `*` matches any version. Like a JSON body
/// ([`crate::extract::Json`]), a handler takes `Result<IfMatch, ApiError>` and applies it
/// only after authorizing the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Version(i64),
}

impl IfMatch {
    /// 412 unless this precondition holds for `current`.
    pub fn check(self, current: i64) -> Result<(), ApiError> {
        match self {
            IfMatch::Version(expected) if expected != current => Err(stale(current)),
            _ => Ok(()),
        }
    }

    /// The version to compare with in a conditional update, `None` for `*`.
    pub fn expected(self) -> Option<i64> {
        match self {
            IfMatch::Any => None,
            IfMatch::Version(v) => Some(v),
        }
    }
}

/// The 412 answer for a stale precondition; tells the current ETag.
pub fn stale(current: i64) -> ApiError {
    ApiError::new(
        ProblemKind::PreconditionFailed,
        format!("The resource is now at version {current}; read it again"),
    )
    .with("currentETag", format!("\"{current}\""))
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(IF_MATCH) else {
            return Err(ApiError::new(
                ProblemKind::PreconditionRequired,
                "Send If-Match with the ETag you last read",
            ));
        };
        let text = raw.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(IfMatch::Any);
        }
        text.trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .map(IfMatch::Version)
            .map_err(|_| {
                ApiError::malformed_field(
                    "If-Match",
                    "must be an ETag this API returned, e.g. \"3\"",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_version_fails_the_precondition() {
        assert!(IfMatch::Version(2).check(2).is_ok());
        assert!(IfMatch::Any.check(7).is_ok());
        assert_eq!(
            IfMatch::Version(1).check(2).unwrap_err().kind,
            ProblemKind::PreconditionFailed
        );
    }
}
