//! Reading sealed personal data as a fleet service does: the key from the owner's internal
//! route (with the service secret), then the payload opened with it.

use serde_json::Value;
use service_kit::peers::DEV_SERVICE_SECRET;
use service_kit::person_keys::open_with;
use shared_domain::contracts::{Identity, Sealed};
use uuid::Uuid;

use crate::TestService;

/// Person `id`'s key as `owner` hands it to the fleet; none once the person is erased.
pub async fn key_of(owner: &TestService, id: Uuid) -> Option<Vec<u8>> {
    use base64::Engine;
    let answer = reqwest::Client::new()
        .get(owner.url(&format!("/internal/person-keys/{id}")))
        .bearer_auth(DEV_SERVICE_SECRET)
        .send()
        .await
        .expect("the owner answers");
    match answer.status().as_u16() {
        404 => None,
        200 => {
            let body: Value = answer.json().await.unwrap();
            let key = body["key"].as_str().expect("a key");
            Some(
                base64::engine::general_purpose::STANDARD
                    .decode(key)
                    .unwrap(),
            )
        }
        other => panic!("the key route answered {other}"),
    }
}

/// The identity sealed in `sealed` (a payload's `identity` field), opened with the owner's key.
pub async fn identity(owner: &TestService, sealed: &Value) -> Identity {
    let sealed: Sealed<Identity> = serde_json::from_value(sealed.clone()).expect("a sealed value");
    let key = key_of(owner, sealed.key_id)
        .await
        .expect("the person's key exists");
    open_with(&key, &sealed).expect("the owner's key opens it")
}
