//! `Idempotency-Key` on creating POSTs: a retry with the same key and caller answers the
//! first response and creates nothing more; the same key with another body is refused;
//! every creating POST of every committed document takes the header.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post_with_key(api: &Api, path: &str, key: &str, body: &Value) -> reqwest::Response {
    api.client
        .post(format!("{}{path}", api.base_url))
        .bearer_auth(api.token.as_deref().unwrap())
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn attendee(email: &str) -> Value {
    json!({"email": email, "firstName": "Ida", "lastName": "Retry", "gdprConsent": {"given": true, "policyVersion": "2026-01"}})
}

#[tokio::test]
async fn a_retried_creation_answers_the_first_response_and_creates_once() {
    let db = TestDb::create().await;
    let service = TestService::attendees_beside(&db, &TestService::events(&db).await).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let first = post_with_key(
        &organizer,
        "/api/v1/attendees",
        "create-ida",
        &attendee("ida@example.ch"),
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = first.json().await.unwrap();

    let retry = post_with_key(
        &organizer,
        "/api/v1/attendees",
        "create-ida",
        &attendee("ida@example.ch"),
    )
    .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["location"].to_str().unwrap(), location);
    let replayed: Value = retry.json().await.unwrap();
    assert_eq!(replayed["id"], created["id"]);
    let listed = organizer
        .get("/api/v1/attendees?q=ida")
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_naming_the_header() {
    let db = TestDb::create().await;
    let service = TestService::attendees_beside(&db, &TestService::events(&db).await).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    post_with_key(
        &organizer,
        "/api/v1/attendees",
        "create-once",
        &attendee("one@example.ch"),
    )
    .await;
    let other = post_with_key(
        &organizer,
        "/api/v1/attendees",
        "create-once",
        &attendee("two@example.ch"),
    )
    .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let db = TestDb::create().await;
    let service = TestService::attendees_beside(&db, &TestService::events(&db).await).await;
    let alice = Api::as_user(&service, "alice", &["organizer"]);
    let bob = Api::as_user(&service, "bob", &["organizer"]);
    let first = post_with_key(
        &alice,
        "/api/v1/attendees",
        "shared-key",
        &attendee("a@example.ch"),
    )
    .await;
    let second = post_with_key(
        &bob,
        "/api/v1/attendees",
        "shared-key",
        &attendee("b@example.ch"),
    )
    .await;
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert!(second.headers().get("idempotent-replayed").is_none());
}

#[test]
fn every_creating_post_documents_the_idempotency_key() {
    let dir = format!("{}/../openapi", env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let document: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        for (path, item) in document["paths"].as_object().unwrap() {
            let Some(post) = item.get("post") else {
                continue;
            };
            let creates =
                post["responses"].get("201").is_some() || post["responses"].get("202").is_some();
            let documented = post["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
            });
            if creates && !documented {
                missing.push(path.clone());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "creating POSTs without Idempotency-Key: {missing:?}"
    );
}

#[tokio::test]
async fn a_retried_webhook_subscription_is_one_subscription_with_one_secret() {
    let db = TestDb::create().await;
    let fleet = fleet_tests::partners::PartnersFleet::start(&db).await;
    let acme = fleet.company("Acme AG").await;
    let gold = fleet.partner(acme, "gold").await;
    let portal = fleet.partner_of(acme);
    let hooks = format!("/api/v1/partners/{gold}/webhooks");
    let body = json!({"url": "https://hooks.acme.example/batbern", "eventTypes": ["partners.meeting.invited.v1"]});
    let first = post_with_key(&portal, &hooks, "subscribe-acme", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let created: Value = first.json().await.unwrap();
    let retry = post_with_key(&portal, &hooks, "subscribe-acme", &body).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let replayed: Value = retry.json().await.unwrap();
    assert_eq!(
        (&replayed["id"], &replayed["secret"]),
        (&created["id"], &created["secret"])
    );
    let listed = portal.get(&hooks).await.expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let malformed = post_with_key(&portal, &hooks, &"k".repeat(256), &body).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let problem: Value = malformed.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
}
