//! The committed OpenAPI documents match the code, and each service serves its own.

use fleet_tests::{TestDb, TestService};

fn committed(name: &str) -> serde_json::Value {
    let path = format!("{}/../openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is committed"));
    serde_json::from_str(&text).expect("committed document is JSON")
}

#[test]
fn companies_document_matches_the_code() {
    let generated = serde_json::to_value(companies::api::openapi()).unwrap();
    assert!(
        generated == committed("companies"),
        "openapi/companies.json is out of date: run `cargo run -q -p batbern -- companies openapi > openapi/companies.json`"
    );
}

#[tokio::test]
async fn companies_serves_its_document_and_reference_page() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let served: serde_json::Value = service
        .client
        .get(service.url("/api/v1/companies/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, committed("companies"));
    let page = service
        .client
        .get(service.url("/api/v1/companies/docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
}

/// The gateway's document (`openapi/batbern.json`) is the merge `scripts/openapi write`
/// makes of the committed service documents.
#[test]
fn merged_document_is_made_from_the_service_documents() {
    let script = format!("{}/../scripts/openapi", env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(&script)
        .arg("check")
        .output()
        .expect("scripts/openapi runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let merged = committed("batbern");
    let operations: usize = [
        "companies",
        "events",
        "speakers",
        "content",
        "attendees",
        "partners",
        "notifications",
    ]
    .iter()
    .map(|name| {
        committed(name)["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum::<usize>()
    })
    .sum();
    let merged_operations: usize = merged["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        merged_operations, operations,
        "every operation of every service is in the merged document"
    );
}

#[test]
fn events_document_matches_the_code() {
    let generated = serde_json::to_value(events::api::openapi()).unwrap();
    assert!(generated == committed("events"), "openapi/events.json is out of date: run `cargo run -q -p batbern -- events openapi > openapi/events.json`");
}

#[test]
fn attendees_document_matches_the_code() {
    let generated = serde_json::to_value(attendees::api::openapi()).unwrap();
    assert!(generated == committed("attendees"), "openapi/attendees.json is out of date: run `cargo run -q -p batbern -- attendees openapi > openapi/attendees.json`");
}

#[test]
fn speakers_document_matches_the_code() {
    let generated = serde_json::to_value(speakers::api::openapi()).unwrap();
    assert!(generated == committed("speakers"), "openapi/speakers.json is out of date: run `cargo run -q -p batbern -- speakers openapi > openapi/speakers.json`");
}

#[test]
fn partners_document_matches_the_code() {
    let generated = serde_json::to_value(partners::api::openapi()).unwrap();
    assert!(generated == committed("partners"), "openapi/partners.json is out of date: run `cargo run -q -p batbern -- partners openapi > openapi/partners.json`");
}

#[test]
fn content_document_matches_the_code() {
    let generated = serde_json::to_value(content::api::openapi()).unwrap();
    assert!(generated == committed("content"), "openapi/content.json is out of date: run `cargo run -q -p batbern -- content openapi > openapi/content.json`");
}

#[test]
fn notifications_document_matches_the_code() {
    let generated = serde_json::to_value(notifications::api::openapi()).unwrap();
    assert!(generated == committed("notifications"), "openapi/notifications.json is out of date: run `cargo run -q -p batbern -- notifications openapi > openapi/notifications.json`");
}

#[tokio::test]
async fn notifications_serves_its_document_and_reference_page() {
    let db = TestDb::create().await;
    let service =
        TestService::notifications(&db, std::sync::Arc::new(notifications::clock::SystemClock))
            .await;
    let served: serde_json::Value = service
        .client
        .get(service.url("/api/v1/notifications/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, committed("notifications"));
    let paths = served["paths"].as_object().unwrap();
    for path in [
        "/api/v1/email-templates",
        "/api/v1/notification-preferences/{userId}",
        "/api/v1/escalation-rules",
        "/api/v1/notifications",
        "/api/v1/webhooks/ses",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
}
