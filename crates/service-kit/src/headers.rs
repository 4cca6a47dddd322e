//! Headers every answer carries: `X-Content-Type-Options: nosniff` always,
//! `Cache-Control: no-store` on every answer to a caller with a token (what an
//! authenticated caller reads may be personal; only anonymous public reads may be cached),
//! and one `Vary` line naming CORS's request headers beside whatever the answer varies by.

use http::header::{
    HeaderMap, HeaderValue, AUTHORIZATION, CACHE_CONTROL, VARY, X_CONTENT_TYPE_OPTIONS,
};
use http::{Request, Response};

use crate::around::Around;

/// What every answer varies by, because CORS's headers in it depend on them. The CORS
/// layer (`server::with_layers`) writes no `Vary` of its own: it would add a second line,
/// built anew for every answer.
const CORS_VARY: &str = "origin, access-control-request-method, access-control-request-headers";

/// [`CORS_VARY`] after `accept-encoding`.
const ENCODING_AND_CORS_VARY: &str =
    "accept-encoding, origin, access-control-request-method, access-control-request-headers";

/// The middleware, placed outside CORS so that its preflight answers carry the headers too.
#[derive(Clone, Copy)]
pub struct SecurityHeaders;

impl Around for SecurityHeaders {
    /// Whether the caller sent a token.
    type Carry = bool;

    fn before<B>(&self, request: &mut Request<B>) -> bool {
        request.headers().contains_key(AUTHORIZATION)
    }

    fn after<B>(authenticated: bool, response: &mut Response<B>) {
        let headers = response.headers_mut();
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if authenticated {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        one_vary_line(headers);
    }
}

/// Joins the answer's `Vary` lines (an agenda's `accept-encoding`) and [`CORS_VARY`]
/// into one line, each name once, in lower case. HTTP reads several lines alike, but a
/// cache may keep only one per answer: nginx keeps the last, so it once kept the gzip
/// agenda under CORS's names alone and handed it to callers that take no gzip.
fn one_vary_line(headers: &mut HeaderMap) {
    let mut lines = headers.get_all(VARY).iter();
    let known = match (lines.next(), lines.next()) {
        (None, _) => Some(CORS_VARY),
        // The public agenda's renderings, the answers served most often.
        (Some(only), None) if only == "accept-encoding" => Some(ENCODING_AND_CORS_VARY),
        _ => None,
    };
    if let Some(line) = known {
        headers.insert(VARY, HeaderValue::from_static(line));
        return;
    }
    let mut joined = String::with_capacity(128);
    let lines = headers.get_all(VARY).iter().filter_map(|v| v.to_str().ok());
    for line in lines.chain([CORS_VARY]) {
        for name in line.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if joined
                .split(", ")
                .any(|kept| kept.eq_ignore_ascii_case(name))
            {
                continue;
            }
            if !joined.is_empty() {
                joined.push_str(", ");
            }
            joined.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        }
    }
    if let Ok(joined) = HeaderValue::from_str(&joined) {
        headers.insert(VARY, joined);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary(lines: &[&'static str]) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(VARY, HeaderValue::from_static(line));
        }
        one_vary_line(&mut headers);
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn the_answers_vary_lines_and_the_cors_names_become_one_line_naming_each_once() {
        assert_eq!(
            vary(&["accept-encoding", "Origin, Accept-Encoding"]),
            ["accept-encoding, origin, access-control-request-method, access-control-request-headers"]
        );
        assert_eq!(vary(&[]), [CORS_VARY], "CORS's names on every answer");
        assert_eq!(
            vary(&["accept-encoding"]),
            vary(&["Accept-Encoding"]),
            "the agenda's line joins as any other"
        );
        assert_eq!(
            vary(&["access-control-request-method"]),
            ["access-control-request-method, origin, access-control-request-headers"]
        );
    }
}
