//! The content saga under kill -9: a service killed after the client's PUT and before the
//! confirmation loses nothing; the confirmation sent after its restart completes once; and
//! confirmations racing each other complete a file once.

use fleet_tests::api::Api;
use fleet_tests::content::{self, content_events, declaration, png, settings};
use fleet_tests::people::start_group;
use fleet_tests::{token, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_confirmation_after_a_crash_completes_once() {
    let db = TestDb::create().await;
    let mut started = start_group(&db, &["companies", "content"])
        .await
        .into_iter();
    let (companies, service) = (started.next().unwrap(), started.next().unwrap());
    let organizer = Api::at(&companies.base_url, Some(token(&["organizer"], None)));
    let company = organizer
        .post(
            "/api/v1/companies",
            &json!({"name": format!("Crashco {}", Uuid::new_v4()), "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let partner = token(&["partner"], Some(company.parse().unwrap()));
    let portal = Api::at(&service.base_url, Some(partner.clone()));
    let bytes = png(3_000);
    let declared = declaration(
        "logo.png",
        "logo",
        "image/png",
        &bytes,
        json!({"companyId": company}),
    );
    let link = portal
        .post("/api/v1/files", &declared)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(content::put(&link, bytes).await, StatusCode::OK);

    let (url, prefix) = service.crash().await;
    let service = TestService::restart_content(url, prefix, settings()).await;
    let portal = Api::at(&service.base_url, Some(partner));
    let id = link["fileId"].as_str().unwrap();
    let checksum = declared["checksum"].as_str().unwrap();
    let done = content::confirm(&portal, id, checksum)
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["uploadStatus"], "completed", "{done}");
    let again = content::confirm(&portal, id, checksum)
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["uploadedAt"], done["uploadedAt"]);

    counted_once(&service, &portal, 3_000).await;
}

#[tokio::test]
async fn two_confirmations_at_once_complete_a_file_once() {
    let db = TestDb::create().await;
    let service = TestService::content_with(&db, settings()).await;
    let speaker = Uuid::new_v4();
    let me = Api::at(
        &service.base_url,
        Some(fleet_tests::services::token_of_speaker(
            &speaker.to_string(),
        )),
    );
    let bytes = png(4_000);
    let declared = declaration(
        "me.png",
        "speaker_photo",
        "image/png",
        &bytes,
        json!({"speakerId": speaker}),
    );
    let link = me
        .post("/api/v1/files", &declared)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(content::put(&link, bytes).await, StatusCode::OK);
    let (id, checksum) = (
        link["fileId"].as_str().unwrap(),
        declared["checksum"].as_str().unwrap(),
    );
    let (a, b, c) = tokio::join!(
        content::confirm(&me, id, checksum),
        content::confirm(&me, id, checksum),
        content::confirm(&me, id, checksum)
    );
    for answer in [a, b, c] {
        assert_eq!(answer.expect(StatusCode::OK)["uploadStatus"], "completed");
    }
    counted_once(&service, &me, 4_000).await;
}

/// One file of `bytes` was announced once and counted once against the caller's quota.
async fn counted_once(service: &TestService, caller: &Api, bytes: i64) {
    let uploaded = content_events(&service.topic_prefix, 2)
        .await
        .into_iter()
        .filter(|(t, _)| t == "content.file.uploaded.v1")
        .count();
    assert_eq!(uploaded, 1);
    let quota = caller
        .get("/api/v1/storage-quotas/me")
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            quota["fileCount"].clone(),
            quota["currentUsageBytes"].clone()
        ),
        (json!(1), json!(bytes))
    );
}
