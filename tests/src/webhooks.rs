//! A partner's webhook receiver for tests: records every request and checks its Standard
//! Webhooks signature the way a partner's integration would.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

/// One request the receiver got, with whether its signature held.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub verified: bool,
    pub body: Value,
}

/// A partner's receiver: answers 500 to the next `failures` requests, then 204; checks
/// each signature with `secret` once it is known.
#[derive(Clone, Default)]
pub struct Receiver {
    pub secret: Arc<Mutex<String>>,
    pub failures: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Listens on 127.0.0.1; answers the address of its `/hook`.
    pub async fn start(&self) -> String {
        let receiver = self.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let receiver = receiver.clone();
                async move { receiver.receive(&headers, &body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/hook")
    }

    fn receive(&self, headers: &HeaderMap, body: &[u8]) -> AxumStatus {
        let header = |name: &str| headers[name].to_str().unwrap().to_owned();
        let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
        let key = STANDARD
            .decode(self.secret.lock().unwrap().trim_start_matches("whsec_"))
            .unwrap();
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
        let signed = [format!("{id}.{timestamp}.").as_bytes(), body].concat();
        let expected = format!("v1,{}", STANDARD.encode(ring::hmac::sign(&key, &signed)));
        let fresh =
            (chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap()).abs() < 300;
        let verified = fresh
            && header("webhook-signature")
                .split(' ')
                .any(|candidate| candidate == expected);
        self.received.lock().unwrap().push(Received {
            id,
            verified,
            body: serde_json::from_slice(body).unwrap(),
        });
        let failing = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            AxumStatus::INTERNAL_SERVER_ERROR
        } else {
            AxumStatus::NO_CONTENT
        }
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
