//! The content saga's participants and an uploader that does what a client does: declare
//! a file, PUT its bytes to the presigned link with the headers it names, confirm.

use std::time::Duration;

use content::domain::quota::QuotaLimits;
use content::settings::{ContentSettings, S3Settings};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api::{Answer, Api};

/// The EICAR test file (every virus scanner detects it; it is harmless).
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// Quotas of test services: small, so a test reaches them with small files.
pub const QUOTAS: QuotaLimits = QuotaLimits {
    speaker: 100_000,
    partner: 50_000,
    attendee: 10_000,
};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The bucket of this test process (each test runs in a process of its own; a restarted
/// service finds its objects again).
fn bucket() -> String {
    static BUCKET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUCKET.get_or_init(|| crate::unique("b")).clone()
}

/// Settings of a test content service: the local S3 store (`S3_ENDPOINT`, as
/// `scripts/test` exports it) with this test's bucket, the local clamd, small quotas, a
/// sweep every second.
pub fn settings() -> ContentSettings {
    ContentSettings {
        s3: S3Settings {
            endpoint: Some(env_or("S3_ENDPOINT", "http://127.0.0.1:18014")),
            bucket: bucket(),
            region: "eu-central-1".into(),
            static_keys: Some((
                env_or("S3_ACCESS_KEY_ID", "batbern-local"),
                env_or("S3_SECRET_ACCESS_KEY", "batbern-local-secret"),
            )),
        },
        clamd_address: env_or("CLAMD_ADDRESS", "127.0.0.1:13310"),
        public_base_url: "http://127.0.0.1:8080/media".into(),
        upload_expiry: Duration::from_secs(300),
        download_expiry: Duration::from_secs(60),
        quotas: QUOTAS,
        sweep_interval: Duration::from_secs(1),
    }
}

/// Whether the test's store holds an object under `key`.
pub async fn stored(key: &str) -> bool {
    content::storage::ObjectStore::new(&settings().s3)
        .await
        .exists(key)
        .await
        .expect("the store answers")
}

/// The event types on the content topic of `prefix` (read until `expected` arrived or
/// the topic stayed quiet for two seconds).
pub async fn content_events(prefix: &str, expected: usize) -> Vec<(String, Value)> {
    crate::read_topic(
        &crate::brokers(),
        &format!("{prefix}.content.v1"),
        expected,
        Duration::from_secs(2),
    )
    .await
    .into_iter()
    .map(|m| {
        (
            m.headers.get("ce_type").cloned().unwrap_or_default(),
            m.payload,
        )
    })
    .collect()
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A PNG of `size` bytes (its magic bytes, then filler).
pub fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size.max(8), b'p');
    bytes
}

/// A PDF of `size` bytes (its magic bytes, then filler).
pub fn pdf(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(size.max(9), b'a' + seed % 26);
    bytes
}

/// The declaration of `bytes` as `content_type` of `mime`, with `owner` fields merged in.
pub fn declaration(
    name: &str,
    content_type: &str,
    mime: &str,
    bytes: &[u8],
    owner: Value,
) -> Value {
    let mut body = json!({
        "fileName": name, "contentType": content_type, "fileSizeBytes": bytes.len(),
        "mimeType": mime, "checksum": sha256(bytes),
    });
    body.as_object_mut()
        .unwrap()
        .extend(owner.as_object().cloned().unwrap_or_default());
    body
}

/// PUTs `bytes` to a presigned upload link with the headers it requires; the store's status.
pub async fn put(link: &Value, bytes: Vec<u8>) -> StatusCode {
    let mut request = reqwest::Client::new()
        .put(link["uploadUrl"].as_str().expect("an upload URL"))
        .body(bytes);
    for (name, value) in link["requiredHeaders"].as_object().expect("headers") {
        if name != "content-length" {
            request = request.header(name, value.as_str().unwrap());
        }
    }
    request.send().await.expect("the store answers").status()
}

/// Confirms file `id` with `checksum`.
pub async fn confirm(api: &Api, id: &str, checksum: &str) -> Answer {
    api.post(
        &format!("/api/v1/files/{id}/confirm"),
        &json!({"checksum": checksum}),
    )
    .await
}

/// Declares a file, uploads `uploaded` (which may differ from what was declared) and
/// confirms it; answers the confirmation's body.
pub async fn upload(api: &Api, declared: Value, uploaded: Vec<u8>) -> Value {
    let link = api
        .post("/api/v1/files", &declared)
        .await
        .expect(StatusCode::CREATED);
    put(&link, uploaded).await;
    let id = link["fileId"].as_str().unwrap();
    confirm(api, id, declared["checksum"].as_str().unwrap())
        .await
        .expect(StatusCode::OK)
}

/// The status and body behind a (presigned) link.
pub async fn fetch(url: &str) -> (StatusCode, Vec<u8>) {
    let answer = reqwest::get(url).await.expect("the store answers");
    (
        answer.status(),
        answer.bytes().await.unwrap_or_default().to_vec(),
    )
}
