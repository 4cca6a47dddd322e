//! Files that must go: an erased speaker's photo and CV are deleted with their objects and
//! nothing is uploaded for them again; an upload never confirmed expires and its object is
//! removed by the sweeper.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::content::{self, content_events, declaration, pdf, png, settings, stored, upload};
use fleet_tests::services::token_of_speaker;
use fleet_tests::{eventually, producer, publish, token, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
use shared_domain::contracts::speakers::SpeakerErased;
use uuid::Uuid;

fn key(file: &serde_json::Value, kind: &str, speaker: Uuid) -> String {
    let (id, name) = (
        file["fileId"].as_str().unwrap(),
        file["fileName"].as_str().unwrap(),
    );
    format!("{kind}/speaker/{speaker}/{id}/{name}")
}

#[tokio::test]
async fn an_erased_speakers_files_are_deleted_and_stay_deleted() {
    let db = TestDb::create().await;
    let service = TestService::content_with(&db, settings()).await;
    let speaker = Uuid::new_v4();
    let me = Api::at(
        &service.base_url,
        Some(token_of_speaker(&speaker.to_string())),
    );
    let photo = png(2_000);
    let photo = upload(
        &me,
        declaration(
            "me.png",
            "speaker_photo",
            "image/png",
            &photo,
            json!({"speakerId": speaker}),
        ),
        photo,
    )
    .await;
    let cv = pdf(3_000, 1);
    let cv = upload(
        &me,
        declaration(
            "cv.pdf",
            "speaker_cv",
            "application/pdf",
            &cv,
            json!({"speakerId": speaker}),
        ),
        cv,
    )
    .await;
    let keys = [
        key(&photo, "speaker_photo", speaker),
        key(&cv, "speaker_cv", speaker),
    ];
    for k in &keys {
        assert!(stored(k).await, "{k}");
    }

    let erased = SpeakerErased {
        speaker_id: speaker,
        erased_at: chrono::Utc::now(),
    };
    publish(
        &producer(&fleet_tests::brokers()),
        &service.topic_prefix,
        &erased,
    )
    .await;
    let organizer = Api::at(&service.base_url, Some(token(&["organizer"], None)));
    for file in [&photo, &cv] {
        let path = format!("/api/v1/files/{}", file["fileId"].as_str().unwrap());
        eventually(Duration::from_secs(60), "the file is deleted", || async {
            (organizer.get(&path).await.body["uploadStatus"] == "deleted").then_some(())
        })
        .await;
    }
    for k in &keys {
        eventually(
            Duration::from_secs(30),
            "the object leaves the store",
            || async { (!stored(k).await).then_some(()) },
        )
        .await;
    }
    let reasons: Vec<_> = content_events(&service.topic_prefix, 4)
        .await
        .into_iter()
        .filter(|(t, _)| t == "content.file.deleted.v1")
        .map(|(_, p)| p["reason"].clone())
        .collect();
    assert_eq!(reasons, [json!("erased"), json!("erased")]);
    let again = png(100);
    organizer
        .post(
            "/api/v1/files",
            &declaration(
                "again.png",
                "speaker_photo",
                "image/png",
                &again,
                json!({"speakerId": speaker}),
            ),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("speakerId"));
}

#[tokio::test]
async fn an_upload_never_confirmed_expires_and_its_object_goes() {
    let db = TestDb::create().await;
    // Short enough to wait out, long enough for the upload on a busy machine (the store
    // refuses a PUT past its link's expiry).
    let mut short = settings();
    short.upload_expiry = Duration::from_secs(4);
    let service = TestService::content_with(&db, short).await;
    let speaker = Uuid::new_v4();
    let me = Api::at(
        &service.base_url,
        Some(token_of_speaker(&speaker.to_string())),
    );
    let bytes = pdf(5_000, 2);
    let link = me
        .post(
            "/api/v1/files",
            &declaration(
                "cv.pdf",
                "speaker_cv",
                "application/pdf",
                &bytes,
                json!({"speakerId": speaker}),
            ),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(content::put(&link, bytes).await, StatusCode::OK);
    let id = link["fileId"].as_str().unwrap();
    let object = format!("speaker_cv/speaker/{speaker}/{id}/cv.pdf");
    assert!(stored(&object).await);
    tokio::time::sleep(Duration::from_millis(4_500)).await;

    let pool = service_kit::db::connect(&service.database_url, "content", 2)
        .await
        .unwrap();
    let store = ::content::storage::ObjectStore::new(&settings().s3).await;
    let (expired, removed) = ::content::scheduler::sweep(&pool, &store, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!((expired, removed), (1, 1));
    let file = me
        .get(&format!("/api/v1/files/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(file["uploadStatus"], "failed");
    assert!(
        file["failureReason"].as_str().unwrap().contains("expired"),
        "{file}"
    );
    assert!(!stored(&object).await);
    let quota = me
        .get("/api/v1/storage-quotas/me")
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            quota["pendingBytes"].clone(),
            quota["currentUsageBytes"].clone()
        ),
        (json!(0), json!(0))
    );
}
