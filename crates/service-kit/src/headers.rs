//! Headers every answer carries: `X-Content-Type-Options: nosniff` always,
//! `Cache-Control: no-store` on every answer to a caller with a token (what an
//! authenticated caller reads may be personal; only anonymous public reads may be cached),
//! and at most one `Vary` line.

use axum::extract::Request;
use axum::http::header::{
    HeaderMap, HeaderValue, AUTHORIZATION, CACHE_CONTROL, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The middleware, placed outside CORS so that CORS's `Vary` line is joined too.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let authenticated = request.headers().contains_key(AUTHORIZATION);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if authenticated {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    one_vary_line(headers);
    response
}

/// Joins several `Vary` lines (an agenda's `accept-encoding`, CORS's `origin, ...`) into
/// one, each name once. HTTP reads them alike, but a cache may keep only one line per
/// answer: nginx keeps the last, so it kept the gzip agenda under CORS's names alone and
/// handed it to callers that take no gzip.
fn one_vary_line(headers: &mut HeaderMap) {
    if headers.get_all(VARY).iter().nth(1).is_none() {
        return;
    }
    let mut names: Vec<String> = Vec::new();
    for line in headers.get_all(VARY) {
        let Ok(line) = line.to_str() else { continue };
        for name in line.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.to_ascii_lowercase();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if let Ok(joined) = HeaderValue::from_str(&names.join(", ")) {
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
    fn several_vary_lines_become_one_naming_each_once() {
        assert_eq!(
            vary(&[
                "accept-encoding",
                "origin, Accept-Encoding",
                "access-control-request-method"
            ]),
            ["accept-encoding, origin, access-control-request-method"]
        );
        assert_eq!(vary(&["origin"]), ["origin"], "one line stays as it is");
        assert!(vary(&[]).is_empty(), "none is added");
    }
}
