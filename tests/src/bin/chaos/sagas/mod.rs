//! The sagas of the fault runs. Each starts one instance of its saga with fresh people and
//! things of its own (so cells never count each other's effects) and counts that
//! instance's effects.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use fleet_tests::api::Api;
use fleet_tests::mail::{mails_to, SentMail};
use fleet_tests::token;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::fleet::ProcessFleet;

mod content;
mod deadlines;
mod directory;
mod erasure;
mod invitation;
mod publication;
mod registration;
mod votes;

/// A saga as the fault runs drive it.
#[async_trait]
pub trait Saga: Send + Sync {
    fn name(&self) -> &'static str;
    /// The services that take part (each is killed in a cell of its own).
    fn participants(&self) -> &'static [&'static str];
    /// The kill comes at a random point of this long after the saga is started (about as
    /// long as an undisturbed instance takes).
    fn kill_window(&self) -> Duration;
    /// Prepares what one instance of the saga needs (nothing is killed meanwhile).
    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run>;
}

/// One instance of a saga.
#[async_trait]
pub trait Run: Send + Sync {
    /// Starts it: the requests a client sends, each repeated with its idempotency key until
    /// answered (a participant may be killed meanwhile).
    async fn trigger(&self, fleet: &ProcessFleet);
    /// Counts its effects as they are now.
    async fn tally(&self, fleet: &ProcessFleet) -> Tally;
    /// Clears away what would reach into later cells (nothing, for most sagas).
    async fn finish(&self, _fleet: &ProcessFleet) {}
}

/// Effects expected, seen (distinct) and seen more often than once; mails sent again.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub expected: usize,
    pub seen: usize,
    pub doubled: usize,
    /// A logged mail sent again: the sender was killed between SES and its record of the
    /// send (mail delivery is at least once). Shown, not counted as doubled.
    pub resent: usize,
}

impl Tally {
    /// Counts `found` (one key per effect found, repeats included) against `expected`.
    pub fn of(expected: &[String], found: &[String]) -> Self {
        let mut times: HashMap<&str, usize> = HashMap::new();
        for key in found {
            *times.entry(key.as_str()).or_default() += 1;
        }
        Self {
            expected: expected.len(),
            seen: expected
                .iter()
                .filter(|k| times.contains_key(k.as_str()))
                .count(),
            doubled: times.values().map(|n| n - 1).sum(),
            resent: 0,
        }
    }

    /// Counts mails `found` (recipient, logged mail) against one mail to each of
    /// `expected`: a second logged mail to a recipient is doubled; the same logged mail
    /// sent again is resent.
    pub fn of_mails(expected: &[String], found: &[(String, String)]) -> Self {
        let distinct: BTreeSet<&(String, String)> = found.iter().collect();
        let recipients: Vec<String> = distinct.iter().map(|(to, _)| to.clone()).collect();
        Self {
            resent: found.len() - distinct.len(),
            ..Self::of(expected, &recipients)
        }
    }

    /// A single count against its expected value: more is doubled, less is missing.
    pub fn number(expected: usize, found: usize) -> Self {
        Self {
            expected,
            seen: found.min(expected),
            doubled: found.saturating_sub(expected),
            resent: 0,
        }
    }

    pub fn and(self, other: Tally) -> Self {
        Self {
            expected: self.expected + other.expected,
            seen: self.seen + other.seen,
            doubled: self.doubled + other.doubled,
            resent: self.resent + other.resent,
        }
    }

    pub fn lost(&self) -> usize {
        self.expected - self.seen
    }

    pub fn complete(&self) -> bool {
        self.seen == self.expected
    }
}

pub fn all() -> Vec<Arc<dyn Saga>> {
    vec![
        Arc::new(registration::Registration),
        Arc::new(directory::Directory),
        Arc::new(invitation::Invitation),
        Arc::new(publication::Publication),
        Arc::new(erasure::Erasure),
        Arc::new(votes::Votes),
        Arc::new(content::Content),
        Arc::new(deadlines::Deadlines),
    ]
}

/// Sends `method path` with `body` and `headers` until the service answers with anything
/// but a server error (it may be down or restarting), as a client repeats a request whose
/// answer it lost; returns the answer.
pub async fn until_answered(
    api: &Api,
    method: Method,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let url = format!("{}{path}", api.base_url);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut request = api.client.request(method.clone(), &url).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = &api.token {
            request = request.bearer_auth(token);
        }
        if let Ok(answer) = request.send().await {
            let status = answer.status();
            let text = answer.text().await.unwrap_or_default();
            if !status.is_server_error() {
                return (
                    status,
                    serde_json::from_str(&text).unwrap_or(Value::String(text)),
                );
            }
        }
        assert!(
            Instant::now() < deadline,
            "{method} {path} is not answered within 120 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// POSTs `body` with `key` as its `Idempotency-Key` until answered ([`until_answered`]);
/// the answer must be a success; returns its body.
pub async fn post_until_answered(api: &Api, path: &str, body: &Value, key: &str) -> Value {
    let (status, answer) =
        until_answered(api, Method::POST, path, body, &[("Idempotency-Key", key)]).await;
    assert!(
        status.is_success(),
        "POST {path} answered {status}: {answer}"
    );
    answer
}

/// The mails to `email` that `keep` accepts, as (recipient, logged mail) for
/// [`Tally::of_mails`].
pub async fn mails(email: &str, keep: impl Fn(&SentMail) -> bool) -> Vec<(String, String)> {
    mails_to(email)
        .await
        .iter()
        .filter(|m| keep(m))
        .map(|m| (email.to_owned(), m.notification_id().to_owned()))
        .collect()
}

/// An organizer calling `service` directly.
pub fn organizer(fleet: &ProcessFleet, service: &str) -> Api {
    Api::at(&fleet.base_url(service), Some(token(&["organizer"], None)))
}

/// A fresh event number (unique in the run's database).
pub fn event_number() -> i32 {
    static NEXT: AtomicI32 = AtomicI32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
