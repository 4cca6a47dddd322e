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
        parse(raw.to_str().unwrap_or_default()).ok_or_else(|| {
            ApiError::malformed_field("If-Match", "must be an ETag this API returned, e.g. \"3\"")
        })
    }
}

/// `*`, or a strong ETag of this API: a version of 1 to 18 digits in double quotes (the
/// pattern the API documents). A weak ETag never matches in `If-Match`.
fn parse(header: &str) -> Option<IfMatch> {
    let text = header.trim();
    if text == "*" {
        return Some(IfMatch::Any);
    }
    text.strip_prefix('"')?
        .strip_suffix('"')
        .filter(|digits| (1..=18).contains(&digits.len()))
        .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()
        .map(IfMatch::Version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_quoted_version_or_a_star_is_an_if_match() {
        assert_eq!(parse("\"3\""), Some(IfMatch::Version(3)));
        assert_eq!(parse(" \"12\" "), Some(IfMatch::Version(12)));
        assert_eq!(parse("*"), Some(IfMatch::Any));
        for refused in [
            "6",
            "W/\"6\"",
            "\"6",
            "\"\"",
            "\"-1\"",
            "\"+1\"",
            "\"1234567890123456789\"",
        ] {
            assert_eq!(parse(refused), None, "{refused}");
        }
    }

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
