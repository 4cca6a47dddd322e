//! Uploads through presigned S3 links: a partner's logo is checked, stored and reaches
//! the company; a wrong checksum, a wrong type and the EICAR file end `failed` or
//! `virus_detected` with their objects gone and nothing announced; quotas refuse with a
//! 413 naming quota and usage and warn once per crossing of 80 %.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::content::{self, content_events, declaration, pdf, png, stored, upload, EICAR};
use fleet_tests::partners::id_of;
use fleet_tests::people::start_group;
use fleet_tests::services::token_of_speaker;
use fleet_tests::{eventually, token, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

struct Fleet {
    companies: TestService,
    content: TestService,
}

async fn fleet(db: &TestDb) -> Fleet {
    let mut started = start_group(db, &["companies", "content"]).await.into_iter();
    Fleet {
        companies: started.next().unwrap(),
        content: started.next().unwrap(),
    }
}

async fn company(fleet: &Fleet) -> Uuid {
    let organizer = Api::at(&fleet.companies.base_url, Some(token(&["organizer"], None)));
    let body = organizer
        .post(
            "/api/v1/companies",
            &json!({"name": format!("Acme {}", Uuid::new_v4()), "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    id_of(&body)
}

fn key_of(file: &Value) -> String {
    let url = file["publicUrl"].as_str().expect("a public URL");
    url.split("/media/").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn a_partners_logo_is_checked_stored_and_reaches_the_company() {
    let db = TestDb::create().await;
    let fleet = fleet(&db).await;
    let company = company(&fleet).await;
    let portal = Api::at(
        &fleet.content.base_url,
        Some(token(&["partner"], Some(company))),
    );
    let bytes = png(4_000);
    let logo = declaration(
        "Acme Logo.png",
        "logo",
        "image/png",
        &bytes,
        json!({"companyId": company}),
    );
    let first = upload(&portal, logo, bytes.clone()).await;
    assert_eq!(first["uploadStatus"], "completed", "{first}");
    assert!(stored(&key_of(&first)).await);

    // Public by nature: anybody gets a download link, and it serves the bytes.
    let anonymous = Api::at(&fleet.content.base_url, None);
    let id = first["fileId"].as_str().unwrap();
    let link = anonymous
        .get(&format!("/api/v1/files/{id}/download"))
        .await
        .expect(StatusCode::OK);
    let (status, body) = content::fetch(link["downloadUrl"].as_str().unwrap()).await;
    assert_eq!((status, body), (StatusCode::OK, bytes));

    let companies = Api::at(&fleet.companies.base_url, Some(token(&["organizer"], None)));
    let url = first["publicUrl"].clone();
    eventually(
        Duration::from_secs(30),
        "the company shows its logo",
        || async {
            let c = companies
                .get(&format!("/api/v1/companies/{company}"))
                .await
                .body;
            (c["logo"]["url"] == url).then_some(())
        },
    )
    .await;

    // A newer logo replaces the first, whose object leaves the store.
    let newer = png(5_000);
    let second = upload(
        &portal,
        declaration(
            "new.png",
            "logo",
            "image/png",
            &newer,
            json!({"companyId": company}),
        ),
        newer,
    )
    .await;
    assert_eq!(second["uploadStatus"], "completed");
    let old = portal
        .get(&format!("/api/v1/files/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(old["uploadStatus"], "deleted");
    let url = second["publicUrl"].clone();
    eventually(
        Duration::from_secs(30),
        "the company shows the newer logo",
        || async {
            let c = companies
                .get(&format!("/api/v1/companies/{company}"))
                .await
                .body;
            (c["logo"]["url"] == url).then_some(())
        },
    )
    .await;
    let old_key = key_of(&first);
    eventually(
        Duration::from_secs(30),
        "the replaced object leaves the store",
        || async { (!stored(&old_key).await).then_some(()) },
    )
    .await;

    // Another company's integration neither sees the file's details nor puts a logo there.
    let other = Api::at(
        &fleet.content.base_url,
        Some(token(&["partner"], Some(Uuid::new_v4()))),
    );
    let bytes = png(100);
    other
        .post(
            "/api/v1/files",
            &declaration(
                "x.png",
                "logo",
                "image/png",
                &bytes,
                json!({"companyId": company}),
            ),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
    let attendee = Api::at(&fleet.content.base_url, Some(token(&["attendee"], None)));
    attendee
        .post(
            "/api/v1/files",
            &declaration(
                "x.png",
                "logo",
                "image/png",
                &bytes,
                json!({"companyId": company}),
            ),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
}

#[tokio::test]
async fn bad_uploads_end_failed_or_infected_and_leave_nothing() {
    let db = TestDb::create().await;
    let fleet = fleet(&db).await;
    let company = company(&fleet).await;
    let portal = Api::at(
        &fleet.content.base_url,
        Some(token(&["partner"], Some(company))),
    );
    let owner = json!({"companyId": company});

    // Other bytes than declared: the store refuses the digest yet keeps the object; the
    // confirmation finds the difference.
    let declared = png(2_000);
    let mut tampered = declared.clone();
    tampered[1_000] = b'X';
    let wrong = upload(
        &portal,
        declaration("a.png", "logo", "image/png", &declared, owner.clone()),
        tampered,
    )
    .await;
    assert_eq!(wrong["uploadStatus"], "failed", "{wrong}");
    assert!(
        wrong["failureReason"].as_str().unwrap().contains("SHA-256"),
        "{wrong}"
    );

    // Bytes that are no PNG.
    let text = b"<html>not an image</html>".to_vec();
    let typed = upload(
        &portal,
        declaration("b.png", "logo", "image/png", &text, owner.clone()),
        text,
    )
    .await;
    assert_eq!(typed["uploadStatus"], "failed");
    assert!(
        typed["failureReason"]
            .as_str()
            .unwrap()
            .contains("not image/png"),
        "{typed}"
    );

    // The EICAR test file.
    let infected = upload(
        &portal,
        declaration("c.png", "logo", "image/png", EICAR, owner.clone()),
        EICAR.to_vec(),
    )
    .await;
    assert_eq!(infected["uploadStatus"], "virus_detected", "{infected}");
    assert!(
        infected["failureReason"]
            .as_str()
            .unwrap()
            .contains("Eicar"),
        "{infected}"
    );

    // A repeated confirmation answers the same decision; none of the objects is kept;
    // nothing is downloadable; nothing was announced; the company has no logo.
    for file in [&wrong, &typed, &infected] {
        let id = file["fileId"].as_str().unwrap();
        let again = content::confirm(&portal, id, file["checksum"].as_str().unwrap())
            .await
            .expect(StatusCode::OK);
        assert_eq!(again["uploadStatus"], file["uploadStatus"]);
        let key = format!(
            "logo/company/{company}/{id}/{}",
            file["fileName"].as_str().unwrap()
        );
        assert!(!stored(&key).await, "{key} is still stored");
        portal
            .get(&format!("/api/v1/files/{id}/download"))
            .await
            .expect_problem(StatusCode::CONFLICT, None);
    }
    let announced = content_events(&fleet.content.topic_prefix, 1).await;
    assert!(
        announced
            .iter()
            .all(|(t, _)| t != "content.file.uploaded.v1"),
        "{announced:?}"
    );
    let companies = Api::at(&fleet.companies.base_url, Some(token(&["organizer"], None)));
    let c = companies
        .get(&format!("/api/v1/companies/{company}"))
        .await
        .expect(StatusCode::OK);
    assert!(c["logo"].is_null(), "{c}");

    // Bad declarations name their fields.
    let bytes = png(10);
    let mut bad = declaration(
        "d.png",
        "logo",
        "text/html",
        &bytes,
        json!({"sessionId": Uuid::new_v4()}),
    );
    bad["checksum"] = json!("abc");
    bad["fileSizeBytes"] = json!(0);
    let problem = portal
        .post("/api/v1/files", &bad)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("mimeType"));
    for field in ["checksum", "fileSizeBytes", "sessionId"] {
        assert!(
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{problem}"
        );
    }
    portal
        .post(
            "/api/v1/files",
            &json!({"fileName": "x", "contentType": "virus"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, None);
}

#[tokio::test]
async fn quotas_refuse_with_a_413_and_warn_once_per_crossing() {
    let db = TestDb::create().await;
    let fleet = fleet(&db).await;
    let speaker = Uuid::new_v4();
    let me = Api::at(
        &fleet.content.base_url,
        Some(token_of_speaker(&speaker.to_string())),
    );
    let cv = |size: usize, seed: u8| {
        let bytes = pdf(size, seed);
        (
            declaration(
                "cv.pdf",
                "speaker_cv",
                "application/pdf",
                &bytes,
                json!({"speakerId": speaker}),
            ),
            bytes,
        )
    };
    // 50 % then 85 % of 100,000 bytes: one warning.
    let (d, b) = cv(50_000, 1);
    let first = upload(&me, d, b).await;
    let (d, b) = cv(35_000, 2);
    upload(&me, d, b).await;
    // 20,000 more do not fit.
    let (d, _) = cv(20_000, 3);
    let refused = me
        .post("/api/v1/files", &d)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE, None);
    assert_eq!(
        (
            refused["quotaLimitBytes"].clone(),
            refused["currentUsageBytes"].clone()
        ),
        (json!(100_000), json!(85_000)),
        "{refused}"
    );
    // An upload under way counts too.
    let (d, _) = cv(10_000, 4);
    me.post("/api/v1/files", &d)
        .await
        .expect(StatusCode::CREATED);
    let (d, _) = cv(6_000, 5);
    let pending = me
        .post("/api/v1/files", &d)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE, None);
    assert_eq!(pending["pendingBytes"], 10_000);

    // Deleting frees the space and re-arms the warning; crossing again warns again.
    let id = first["fileId"].as_str().unwrap();
    me.delete(&format!("/api/v1/files/{id}"))
        .await
        .expect(StatusCode::NO_CONTENT);
    let (d, b) = cv(47_000, 6);
    upload(&me, d, b).await;
    let quota = me
        .get("/api/v1/storage-quotas/me")
        .await
        .expect(StatusCode::OK);
    assert_eq!(quota["currentUsageBytes"], 82_000, "{quota}");
    assert_eq!(quota["fileCount"], 2);
    assert_eq!(quota["percentageUsed"], 82.0);
    assert_eq!(quota["quotaWarningIssued"], true);
    let actions: Vec<_> = quota["usageLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["upload", "delete", "upload", "upload"]);

    let warnings = eventually(Duration::from_secs(30), "two quota warnings", || async {
        let events = content_events(&fleet.content.topic_prefix, 6).await;
        let warnings: Vec<Value> = events
            .into_iter()
            .filter(|(t, _)| t == "content.quota.warning.v1")
            .map(|(_, p)| p)
            .collect();
        (warnings.len() >= 2).then_some(warnings)
    })
    .await;
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[0]["speakerId"], json!(speaker));
    assert_eq!(warnings[0]["usageBytes"], 85_000);

    // Organizers are unlimited.
    let organizer = Api::at(&fleet.content.base_url, Some(token(&["organizer"], None)));
    let unlimited = organizer
        .get("/api/v1/storage-quotas/me")
        .await
        .expect(StatusCode::OK);
    assert_eq!(unlimited["quotaLimitBytes"], -1);
}
