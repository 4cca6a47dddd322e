//! A small JSON client for tests: one call per request, answering status, headers and body.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::TestService;

/// A caller of one service (or the gateway) with one token (or none).
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base_url: String,
    pub token: Option<String>,
}

/// One answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The `ETag` header.
    pub fn etag(&self) -> String {
        self.headers["etag"].to_str().unwrap().to_owned()
    }

    /// Panics with the body unless the status is `expected`; returns the body.
    pub fn expect(self, expected: StatusCode) -> Value {
        assert_eq!(self.status, expected, "unexpected answer: {}", self.body);
        self.body
    }

    /// Panics with the body unless this is an `application/problem+json` answer whose status,
    /// in the status line and in the body, is `expected`, and whose `errors[].field` name
    /// `field` when one is given; returns the body.
    pub fn expect_problem(self, expected: StatusCode, field: Option<&str>) -> Value {
        assert_eq!(self.status, expected, "unexpected answer: {}", self.body);
        assert_eq!(
            self.headers.get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/problem+json"[..]),
            "not a problem: {}",
            self.body
        );
        assert_eq!(
            self.body["status"],
            expected.as_u16(),
            "another status in the body: {}",
            self.body
        );
        if let Some(field) = field {
            let named = self.body["errors"]
                .as_array()
                .is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
            assert!(named, "no error names {field}: {}", self.body);
        }
        self.body
    }
}

impl Api {
    /// A caller of the service at `base_url` with `token`.
    pub fn at(base_url: &str, token: Option<String>) -> Self {
        Self {
            client: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// A caller with a token for `roles`.
    pub fn as_roles(service: &TestService, roles: &[&str]) -> Self {
        Self::at(&service.base_url, Some(crate::token(roles, None)))
    }

    /// A caller who is the user `subject` with `roles`.
    pub fn as_user(service: &TestService, subject: &str, roles: &[&str]) -> Self {
        Self::at(
            &service.base_url,
            Some(crate::services::token_for(subject, roles)),
        )
    }

    /// A caller without a token.
    pub fn anonymous(service: &TestService) -> Self {
        Self::at(&service.base_url, None)
    }

    /// Sends `method path` with an optional JSON body and `If-Match`, and repeats it after
    /// `Retry-After` while the service answers `not_yet_known` (its read model is still
    /// catching up with another service), as every client of the platform does.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Answer {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(90);
        loop {
            let answer = self.send(method.clone(), path, body, if_match).await;
            let catching_up = answer.status == StatusCode::SERVICE_UNAVAILABLE
                && answer.body["code"] == "not_yet_known";
            if !catching_up || tokio::time::Instant::now() > deadline {
                return answer;
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    /// Sends `method path` once, whatever the answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        let response = request.send().await.expect("request sent");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body), None).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::PUT, path, Some(body), None).await
    }

    /// PUT with `If-Match`.
    pub async fn put_if(&self, path: &str, body: &Value, if_match: &str) -> Answer {
        self.call(Method::PUT, path, Some(body), Some(if_match))
            .await
    }

    /// POST with `If-Match`.
    pub async fn post_if(&self, path: &str, body: &Value, if_match: &str) -> Answer {
        self.call(Method::POST, path, Some(body), Some(if_match))
            .await
    }

    /// PATCH with `If-Match`.
    pub async fn patch_if(&self, path: &str, body: &Value, if_match: &str) -> Answer {
        self.call(Method::PATCH, path, Some(body), Some(if_match))
            .await
    }
}
