//! What every answer tells a browser, and what callers can do to the metrics.

use fleet_tests::api::Api;
use fleet_tests::{token, TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn every_answer_forbids_content_sniffing() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let created = organizer
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme", "industry": "IT"}),
        )
        .await;
    let unknown = Api::anonymous(&service).get("/nothing-here").await;
    for answer in [created, unknown] {
        assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn what_an_authenticated_caller_reads_is_never_cached() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let answer = Api::as_roles(&service, &["organizer"])
        .get("/api/v1/companies")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn the_invitation_page_carries_a_restrictive_content_security_policy() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let page = reqwest::get(speakers.url(&format!(
        "/speaker/invitations/{}?token=not-a-token",
        uuid::Uuid::now_v7()
    )))
    .await
    .unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn an_unusable_request_id_is_replaced_and_the_write_goes_through() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    // Incompressible and far over what an index entry of the outbox may hold.
    let overlong: String = (0..250)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();

    let answer = reqwest::Client::new()
        .post(service.url("/api/v1/companies"))
        .bearer_auth(token(&["organizer"], None))
        .header("x-request-id", &overlong)
        .json(&json!({"name": "Longid AG", "industry": "IT"}))
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), StatusCode::CREATED);
    let minted = answer.headers()["x-request-id"].to_str().unwrap();
    assert!(minted.len() <= 128 && minted != overlong, "{minted}");
}

#[tokio::test]
async fn invented_methods_add_no_metric_series() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let client = reqwest::Client::new();
    for n in 0..20 {
        let method = Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        client
            .request(method, service.url("/api/v1/companies"))
            .bearer_auth(token(&["organizer"], None))
            .send()
            .await
            .unwrap();
    }
    let metrics = service.metrics().await;
    assert!(!metrics.contains("BREW"), "invented methods became labels");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

#[tokio::test]
async fn dead_letters_show_operators_no_link_tokens() {
    use rdkafka::producer::FutureRecord;
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let producer = fleet_tests::producer(&fleet_tests::brokers());
    let leaked = r#"{"confirmationToken": "s3cret-a", "link": "https://x/confirm?token=s3cret-b"}"#;
    producer
        .send(
            FutureRecord::to(&attendees.topic("events"))
                .key("k")
                .payload(leaked),
            std::time::Duration::from_secs(5),
        )
        .await
        .expect("raw message produced");
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let letters = fleet_tests::eventually(
        std::time::Duration::from_secs(90),
        "the malformed message is dead-lettered",
        || async {
            let page = organizer.get("/ops/dead-letters").await.body;
            (page["items"]
                .as_array()
                .is_some_and(|items| !items.is_empty()))
            .then_some(page)
        },
    )
    .await;
    let shown = letters.to_string();
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}
