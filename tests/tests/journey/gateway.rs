//! The journey's only way in: HTTP through the gateway of a running fleet, as the front
//! end, a speaker's browser or a partner integration would call it. Every answer is
//! checked for server errors; a `503 not_yet_known` (a read model still catching up) is
//! repeated after its `Retry-After`, as the API documentation tells clients to.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use service_kit::auth::{mint_hs256, Claims};
use uuid::Uuid;

/// Where the fleet under test runs (`scripts/test` starts it and sets these).
pub struct Fleet {
    pub gateway: String,
    pub ses: String,
    pub logs: String,
    /// The fleet's broker, read by an independent client.
    pub broker: String,
}

impl Fleet {
    pub fn from_env() -> Self {
        let get = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!(
                    "{name} is not set: the journeys run against a fleet that scripts/test starts"
                )
            })
        };
        Fleet {
            gateway: get("JOURNEY_GATEWAY").trim_end_matches('/').to_owned(),
            ses: get("JOURNEY_SES").trim_end_matches('/').to_owned(),
            logs: get("JOURNEY_LOGS"),
            broker: get("JOURNEY_BROKER"),
        }
    }
}

/// One answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// Panics with the body unless the status is `expected`; returns the body.
    pub fn expect(self, expected: StatusCode) -> Value {
        assert_eq!(self.status, expected, "unexpected answer: {}", self.text);
        self.body
    }

    pub fn etag(&self) -> String {
        self.headers["etag"].to_str().unwrap().to_owned()
    }
}

/// A caller of the gateway holding one token (or none).
#[derive(Clone)]
pub struct Caller {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
    /// `not_yet_known` answers seen (and repeated) by every caller of this journey.
    pub waits: Arc<AtomicUsize>,
}

/// The local fleet's dev secret (`scripts/fleet` sets no other).
const DEV_SECRET: &str = service_kit::config::DEV_JWT_SECRET;

impl Caller {
    pub fn anonymous(fleet: &Fleet, waits: &Arc<AtomicUsize>) -> Self {
        Caller {
            client: reqwest::Client::new(),
            base: fleet.gateway.clone(),
            token: None,
            waits: waits.clone(),
        }
    }

    /// A caller with a dev token for `roles` (and the subject ids the claims carry).
    pub fn with_token(&self, subject: &str, roles: &[&str], ids: SubjectIds) -> Self {
        let claims = Claims {
            sub: subject.to_owned(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            speaker_id: ids.speaker,
            company_id: ids.company,
            attendee_id: ids.attendee,
            email: None,
            exp: chrono::Utc::now().timestamp() + 3600,
            nbf: None,
            iss: Some(service_kit::credentials::DEV_JWT_ISSUER.into()),
            aud: Some(service_kit::credentials::DEV_JWT_AUDIENCE.into()),
        };
        Caller {
            token: Some(mint_hs256(DEV_SECRET, &claims)),
            ..self.clone()
        }
    }

    /// The bearer token of this caller.
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("a caller with a token")
    }

    /// Sends a request; `headers` are extra headers, `body` JSON.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        for _ in 0..10 {
            let mut request = self.client.request(method.clone(), &url);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let answer = read(request.send().await.expect("the gateway answers")).await;
            if answer.status == StatusCode::SERVICE_UNAVAILABLE
                && answer.body["code"] == "not_yet_known"
            {
                self.waits.fetch_add(1, Ordering::SeqCst);
                let seconds = answer.headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                tokio::time::sleep(Duration::from_secs(seconds)).await;
                continue;
            }
            assert!(
                !answer.status.is_server_error(),
                "{method} {path} answered {}: {}",
                answer.status,
                answer.text
            );
            return answer;
        }
        panic!("{method} {path} stayed not_yet_known after ten tries");
    }

    /// Posts an HTML form (as a browser does when a button of a page is pressed).
    pub async fn submit_form(&self, action: &str, fields: &[(&str, &str)]) -> Answer {
        let url = format!("{}{action}", self.base);
        let response = self
            .client
            .post(url)
            .form(fields)
            .send()
            .await
            .expect("the gateway answers");
        let answer = read(response).await;
        assert!(
            !answer.status.is_server_error(),
            "{action}: {}",
            answer.text
        );
        answer
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PUT, path, Some(body), &[]).await
    }

    /// Sends `body` with `If-Match` set to the current `ETag` of `resource`.
    pub async fn post_current(&self, resource: &str, path: &str, body: &Value) -> Answer {
        let tag = self.get(resource).await.etag();
        self.send(Method::POST, path, Some(body), &[("if-match", &tag)])
            .await
    }
}

/// An attendee the organizer created with a fresh address `<label>.<uuid>@example.ch`,
/// acting with their own token: the address and the caller.
pub async fn new_attendee(public: &Caller, label: &str, first_name: &str) -> (String, Caller) {
    let organizer = public.with_token(
        &format!("{label}-organizer"),
        &["organizer"],
        SubjectIds::default(),
    );
    let email = format!("{label}.{}@example.ch", Uuid::now_v7().simple());
    let attendee = organizer
        .post(
            "/api/v1/attendees",
            &serde_json::json!({"email": email, "firstName": first_name, "lastName": "Journey",
                "language": "en", "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    let attendee_id: Uuid = attendee["id"].as_str().unwrap().parse().unwrap();
    let caller = public.with_token(
        &format!("attendee-{attendee_id}"),
        &["attendee"],
        SubjectIds {
            attendee: Some(attendee_id),
            ..SubjectIds::default()
        },
    );
    (email, caller)
}

/// Ids a token's claims carry.
#[derive(Default, Clone, Copy)]
pub struct SubjectIds {
    pub speaker: Option<Uuid>,
    pub attendee: Option<Uuid>,
    /// The company a partner token speaks for.
    pub company: Option<Uuid>,
}

async fn read(response: reqwest::Response) -> Answer {
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

/// An attribute value as a browser reads it (the character references pages use).
fn attribute(raw: &str) -> String {
    raw.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The action of the page's form posting to `…button_path_suffix` and the value of its
/// hidden `token` input.
pub fn form_of(page: &str, button_path_suffix: &str) -> (String, String) {
    let action = regex::Regex::new(r#"<form method="post" action="([^"]+)">"#)
        .unwrap()
        .captures_iter(page)
        .map(|c| attribute(&c[1]))
        .find(|a| a.ends_with(button_path_suffix))
        .unwrap_or_else(|| panic!("a form posting to …{button_path_suffix} in {page}"));
    let token = regex::Regex::new(r#"name="token" value="([^"]+)""#)
        .unwrap()
        .captures(page)
        .map(|c| attribute(&c[1]))
        .expect("the form carries the token");
    (action, token)
}
