//! Session materials: two presentations confirmed at once as "primary" leave exactly one
//! primary; materials are public only once organizers published them and the event is
//! published; downloads are counted once per downloader and hour and announced.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::content::{self, content_events, declaration, pdf};
use fleet_tests::people::start_group;
use fleet_tests::planning::drafted_evening;
use fleet_tests::{eventually, token, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn one_primary_presentation_and_counted_public_downloads() {
    let db = TestDb::create().await;
    let mut started = start_group(&db, &["events", "content"]).await.into_iter();
    let (events, content) = (started.next().unwrap(), started.next().unwrap());
    let planner = Api::at(&events.base_url, Some(token(&["organizer"], None)));
    let (event_id, sessions, _) = drafted_evening(&planner, 7001, 100).await;
    let session = sessions[0].clone();
    let organizer = Api::at(&content.base_url, Some(token(&["organizer"], None)));

    // Two primary presentations declared and uploaded, then confirmed at the same time.
    let mut links = Vec::new();
    for n in 0..2u8 {
        let bytes = pdf(3_000, n);
        let mut d = declaration(
            &format!("talk-{n}.pdf"),
            "presentation",
            "application/pdf",
            &bytes,
            json!({"sessionId": session}),
        );
        d["isPrimary"] = json!(true);
        d["title"] = json!(format!("Slides {n}"));
        let link = organizer
            .post("/api/v1/files", &d)
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(content::put(&link, bytes).await, StatusCode::OK);
        links.push((
            link["fileId"].as_str().unwrap().to_owned(),
            d["checksum"].as_str().unwrap().to_owned(),
        ));
    }
    let (a, b) = tokio::join!(
        content::confirm(&organizer, &links[0].0, &links[0].1),
        content::confirm(&organizer, &links[1].0, &links[1].1)
    );
    assert_eq!(a.expect(StatusCode::OK)["uploadStatus"], "completed");
    assert_eq!(b.expect(StatusCode::OK)["uploadStatus"], "completed");
    let path = format!("/api/v1/session-materials/{session}");
    let materials = organizer.get(&path).await.expect(StatusCode::OK);
    let presentations = materials["presentationFiles"].as_array().unwrap();
    assert_eq!(presentations.len(), 2, "{materials}");
    assert_eq!(
        presentations
            .iter()
            .filter(|p| p["isPrimary"] == true)
            .count(),
        1,
        "{materials}"
    );

    // A link without a file, and the recording.
    organizer
        .post(&format!("{path}/supplementary"), &json!({"title": "Code", "materialType": "code_sample", "url": "https://example.org/code"}))
        .await
        .expect(StatusCode::CREATED);
    organizer
        .post(
            &format!("{path}/supplementary"),
            &json!({"title": "Nothing", "materialType": "handout"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("fileId"));
    organizer
        .put(
            &path,
            &json!({"recordingUrl": "https://video.example.org/1"}),
        )
        .await
        .expect(StatusCode::OK);

    // Nothing is public before both the materials and the event are published.
    let anonymous = Api::at(&content.base_url, None);
    let file = &links[0].0;
    anonymous
        .get(&path)
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    anonymous
        .get(&format!("/api/v1/files/{file}/download"))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    organizer
        .post(&format!("{path}/publication"), &json!({"published": true}))
        .await
        .expect(StatusCode::OK);
    anonymous
        .get(&path)
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    let current = planner.get(&format!("/api/v1/events/{event_id}")).await;
    planner
        .post_if(
            &format!("/api/v1/events/{event_id}/status"),
            &json!({"status": "published", "overrideContentReview": "recorded by hand"}),
            &current.etag(),
        )
        .await
        .expect(StatusCode::OK);
    let public = eventually(
        Duration::from_secs(30),
        "the materials are public",
        || async {
            let a = anonymous.get(&path).await;
            (a.status == StatusCode::OK).then_some(a.body)
        },
    )
    .await;
    assert_eq!(public["recordingUrl"], "https://video.example.org/1");
    let shown = [
        &public["presentationFiles"],
        &public["supplementaryMaterials"],
    ];
    assert!(
        shown
            .iter()
            .flat_map(|list| list.as_array().unwrap())
            .all(|item| item.get("uploadedBy").is_none()),
        "the public does not learn who uploaded the materials: {public}"
    );
    assert!(
        presentations.iter().all(|p| p["uploadedBy"].is_string()),
        "organizers do"
    );

    // Downloads: the same anonymous caller twice counts once; an organizer once more.
    for _ in 0..2 {
        let link = anonymous
            .get(&format!("/api/v1/files/{file}/download"))
            .await
            .expect(StatusCode::OK);
        let (status, bytes) = content::fetch(link["downloadUrl"].as_str().unwrap()).await;
        assert_eq!((status, bytes.len()), (StatusCode::OK, 3_000));
    }
    organizer
        .get(&format!("/api/v1/files/{file}/download"))
        .await
        .expect(StatusCode::OK);
    let counted = organizer
        .get(&format!("/api/v1/files/{file}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(counted["downloadCount"], 2, "{counted}");

    let events = eventually(
        Duration::from_secs(30),
        "downloads and materials announced",
        || async {
            let all = content_events(&content.topic_prefix, 12).await;
            let downloads = all
                .iter()
                .filter(|(t, _)| t == "content.file.downloaded.v1")
                .count();
            let published: Vec<Value> = all
                .iter()
                .filter(|(t, p)| {
                    t == "content.session_materials.changed.v1" && !p["publishedAt"].is_null()
                })
                .map(|(_, p)| p.clone())
                .collect();
            (downloads == 2 && !published.is_empty()).then_some(published)
        },
    )
    .await;
    let last = events.last().unwrap();
    assert_eq!(last["presentations"].as_array().unwrap().len(), 2, "{last}");
    assert_eq!(last["eventId"], json!(event_id));
}
