//! Files through the gateway alone, with the fleet's real S3 store and virus scanner: a
//! partner integration puts its company's logo up (declare, PUT straight to the store,
//! confirm) and it shows on the company and the partner; a tampered upload ends `failed`
//! and the EICAR file `virus_detected`, neither referenced anywhere; a speaker's photo
//! reaches their profile and their CVs the quota warning mail; two presentations confirmed
//! at once as primary leave one; published materials come down to anybody, counted, while
//! unpublished ones stay closed.

use fleet_tests::api::Api;
use fleet_tests::content::{declaration, pdf, png, sha256, EICAR};
use fleet_tests::planning::published_evening;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::gateway::{Caller, SubjectIds};
use crate::{until, Journey};

/// Declares a file through the gateway, PUTs `bytes` to the presigned link as a client
/// does, and confirms; the confirmation's answer.
async fn upload(caller: &Caller, declared: &Value, bytes: Vec<u8>) -> Value {
    let link = caller
        .post("/api/v1/files", declared)
        .await
        .expect(StatusCode::CREATED);
    let put = fleet_tests::content::put(&link, bytes).await;
    assert!(
        put.is_success() || put == StatusCode::BAD_REQUEST,
        "the store answered {put}"
    );
    let id = link["fileId"].as_str().unwrap();
    caller
        .post(
            &format!("/api/v1/files/{id}/confirm"),
            &json!({"checksum": declared["checksum"]}),
        )
        .await
        .expect(StatusCode::OK)
}

/// The status, length and SHA-256 of what a public or presigned address serves
/// (redirects followed, as a browser does).
async fn served(url: &str) -> (StatusCode, usize, String) {
    let answer = reqwest::get(url).await.expect("the address answers");
    let status = answer.status();
    let bytes = answer.bytes().await.unwrap_or_default();
    (status, bytes.len(), sha256(&bytes))
}

/// What `served` answers for `bytes`.
fn serving(bytes: &[u8]) -> (StatusCode, usize, String) {
    (StatusCode::OK, bytes.len(), sha256(bytes))
}

#[tokio::test]
async fn files_go_up_to_s3_and_come_back_down_through_the_gateway() {
    let mut journey = Journey::start();
    let o = journey.organizer.clone();
    let (company_id, portal, partner_id) =
        crate::partners::partner(&journey, "Logo AG", "silver").await;

    // The logo goes up, is checked and shows on the company and on the partner.
    let logo = png(20_000);
    let declared = declaration(
        "Logo AG.png",
        "logo",
        "image/png",
        &logo,
        json!({"companyId": company_id}),
    );
    let stored = upload(&portal, &declared, logo.clone()).await;
    assert_eq!(stored["uploadStatus"], "completed", "{stored}");
    let url = stored["publicUrl"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/media/", journey.fleet.gateway)),
        "{url}"
    );
    assert_eq!(served(&url).await, serving(&logo));
    let shown = until(
        "the company shows its logo",
        async || o.get(&format!("/api/v1/companies/{company_id}")).await.body,
        |c| c["logo"]["url"] == url.as_str(),
    )
    .await;
    assert_eq!(shown["logo"]["fileName"], "Logo AG.png", "{shown}");
    let partner_path = format!("/api/v1/partners/{partner_id}");
    until(
        "the partner shows its logo",
        async || portal.get(&partner_path).await.body,
        |p| p.to_string().contains(&url),
    )
    .await;
    let logo_path = format!(
        "{}/api/v1/companies/{company_id}/logo",
        journey.fleet.gateway
    );
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = redirect
        .get(&logo_path)
        .bearer_auth(portal.token())
        .send()
        .await
        .expect("the gateway answers");
    assert_eq!(answer.status(), StatusCode::FOUND);
    assert_eq!(answer.headers()["location"].to_str().unwrap(), url);

    // A tampered upload fails; the EICAR file is caught; the company keeps its logo.
    let declared_bytes = png(3_000);
    let mut tampered = declared_bytes.clone();
    tampered[2_000] ^= 0xff;
    let wrong = declaration(
        "other.png",
        "logo",
        "image/png",
        &declared_bytes,
        json!({"companyId": company_id}),
    );
    let failed = upload(&portal, &wrong, tampered).await;
    assert_eq!(failed["uploadStatus"], "failed", "{failed}");
    let infected = declaration(
        "eicar.png",
        "logo",
        "image/png",
        EICAR,
        json!({"companyId": company_id}),
    );
    let caught = upload(&portal, &infected, EICAR.to_vec()).await;
    assert_eq!(caught["uploadStatus"], "virus_detected", "{caught}");
    for file in [&failed, &caught] {
        let id = file["fileId"].as_str().unwrap();
        assert_eq!(
            portal
                .get(&format!("/api/v1/files/{id}/download"))
                .await
                .status,
            StatusCode::CONFLICT
        );
    }
    let company = o
        .get(&format!("/api/v1/companies/{company_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(company["logo"]["url"], url.as_str());

    speaker_photo_and_quota_warning(&mut journey, company_id).await;
    session_materials(&journey).await;
    crate::every_mail_arrived_once(&journey).await;
}

/// A speaker's photo reaches their profile; CVs past 80 % of the quota bring one mail.
async fn speaker_photo_and_quota_warning(journey: &mut Journey, company_id: Uuid) {
    let inbox = journey.address("petra");
    let speaker = journey
        .organizer
        .post("/api/v1/speakers", &json!({"email": inbox, "firstName": "Petra", "lastName": "Photo", "companyId": company_id, "communicationPreferences": {"language": "en", "emailNotifications": true}}))
        .await
        .expect(StatusCode::CREATED);
    let id: Uuid = speaker["id"].as_str().unwrap().parse().unwrap();
    let ids = SubjectIds {
        speaker: Some(id),
        ..SubjectIds::default()
    };
    let me = journey
        .public
        .with_token(&format!("speaker-{id}"), &["speaker"], ids);
    let photo = png(30_000);
    let uploaded = upload(
        &me,
        &declaration(
            "petra.png",
            "speaker_photo",
            "image/png",
            &photo,
            json!({"speakerId": id}),
        ),
        photo,
    )
    .await;
    let url = uploaded["publicUrl"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/speakers/{id}");
    until(
        "the profile shows the photo",
        async || journey.organizer.get(&path).await.body,
        |s| s.to_string().contains(&url),
    )
    .await;

    // The journeys' fleet gives speakers 1,000,000 bytes: 450,000 + 400,000 cross 80 %.
    for (n, size) in [450_000, 400_000].into_iter().enumerate() {
        let cv = pdf(size, n as u8);
        let done = upload(
            &me,
            &declaration(
                "cv.pdf",
                "speaker_cv",
                "application/pdf",
                &cv,
                json!({"speakerId": id}),
            ),
            cv,
        )
        .await;
        assert_eq!(done["uploadStatus"], "completed");
    }
    let quota = me
        .get("/api/v1/storage-quotas/me")
        .await
        .expect(StatusCode::OK);
    assert_eq!(quota["quotaWarningIssued"], true, "{quota}");
    let mail = journey.mail(&inbox, "Your storage is").await;
    assert!(mail.text().contains("Petra"), "{}", mail.text());
}

/// Two primary presentations at once leave one; published materials come down to anybody.
async fn session_materials(journey: &Journey) {
    let planner = Api::at(
        &journey.fleet.gateway,
        Some(journey.organizer.token().to_owned()),
    );
    let number = 8000 + (Uuid::now_v7().as_u128() % 900) as i32;
    let (event_id, sessions, _) = published_evening(&planner, number, 50).await;
    let o = &journey.organizer;
    let (first, second) = (&sessions[0], &sessions[1]);
    let mut links = Vec::new();
    for n in 0..2u8 {
        let slides = pdf(40_000, n);
        let mut d = declaration(
            &format!("slides-{n}.pdf"),
            "presentation",
            "application/pdf",
            &slides,
            json!({"sessionId": first}),
        );
        d["isPrimary"] = json!(true);
        let link = o
            .post("/api/v1/files", &d)
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(
            fleet_tests::content::put(&link, slides).await,
            StatusCode::OK
        );
        links.push((
            link["fileId"].as_str().unwrap().to_owned(),
            sha256(&pdf(40_000, n)),
        ));
    }
    let paths: Vec<(String, Value)> = links
        .iter()
        .map(|(id, sum)| {
            (
                format!("/api/v1/files/{id}/confirm"),
                json!({"checksum": sum}),
            )
        })
        .collect();
    let (a, b) = tokio::join!(
        o.post(&paths[0].0, &paths[0].1),
        o.post(&paths[1].0, &paths[1].1)
    );
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    let materials = format!("/api/v1/session-materials/{first}");
    let listed = o.get(&materials).await.expect(StatusCode::OK);
    let primaries = listed["presentationFiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["isPrimary"] == true)
        .count();
    assert_eq!(primaries, 1, "{listed}");

    // The other session's slides stay closed: its materials are not published.
    let closed = pdf(1_000, 9);
    let unpublished = upload(
        o,
        &declaration(
            "draft.pdf",
            "presentation",
            "application/pdf",
            &closed,
            json!({"sessionId": second}),
        ),
        closed,
    )
    .await;
    let closed_id = unpublished["fileId"].as_str().unwrap();
    assert_eq!(
        journey
            .public
            .get(&format!("/api/v1/files/{closed_id}/download"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        journey.public.get(&materials).await.status,
        StatusCode::NOT_FOUND
    );

    o.post(
        &format!("{materials}/publication"),
        &json!({"published": true}),
    )
    .await
    .expect(StatusCode::OK);
    let public = journey.public.get(&materials).await.expect(StatusCode::OK);
    let file = public["presentationFiles"][0]["fileId"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = journey
        .public
        .get(&format!("/api/v1/files/{file}/download"))
        .await
        .expect(StatusCode::OK);
    let (status, length, _) = served(link["downloadUrl"].as_str().unwrap()).await;
    assert_eq!((status, length), (StatusCode::OK, 40_000));
    let counted = o
        .get(&format!("/api/v1/files/{file}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(counted["downloadCount"], 1, "{counted}");
    assert!(counted["uploadedBy"].is_string(), "{counted}");
    let seen = journey
        .public
        .get(&format!("/api/v1/files/{file}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(seen["fileId"], file.as_str());
    assert!(
        seen.get("uploadedBy").is_none(),
        "the public does not learn who uploaded a file: {seen}"
    );

    // The public agenda shows the published slides with an address that serves them.
    let agenda = until(
        "the agenda shows the slides",
        async || {
            journey
                .public
                .get(&format!("/api/v1/events/{event_id}/agenda"))
                .await
                .body
        },
        |a| a.to_string().contains(&file),
    )
    .await;
    let url = public["presentationFiles"][0]["fileUrl"].as_str().unwrap();
    assert!(agenda.to_string().contains(url), "{agenda}");
    let (status, length, _) = served(url).await;
    assert_eq!((status, length), (StatusCode::OK, 40_000));
}
