//! The readers of the content saga, with the content context played by the test: a speaker
//! photo upload becomes the speaker's profile photo and reaches the public agenda (until the
//! file is deleted); a submission's materials must name presentation files of the
//! assignment, and the review shows them; a session's published materials appear on the
//! public agenda (the latest version only) and change its ETag.

use std::time::Duration;

use chrono::{DateTime, Utc};
use fleet_tests::api::{Answer, Api};
use fleet_tests::people::start_group;
use fleet_tests::planning::{published_evening, published_evening_with};
use fleet_tests::{brokers, eventually, producer, publish, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_domain::contracts::content::{
    ContentDeleted, ContentType, ContentUploaded, DeletionReason, OwnerKind, PublishedMaterial,
    PublishedPresentation, SessionMaterialsChanged,
};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(60);

/// Events, companies and speakers on one bus, with one speaker of a known company.
struct Readers {
    _db: TestDb,
    events: TestService,
    speakers: TestService,
    _companies: TestService,
    speaker_id: Uuid,
}

async fn readers() -> Readers {
    let db = TestDb::create().await;
    let mut started = start_group(&db, &["events", "companies", "speakers"])
        .await
        .into_iter();
    let (events, companies, speakers) = (
        started.next().unwrap(),
        started.next().unwrap(),
        started.next().unwrap(),
    );
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Delta AG", "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let organizer = Api::as_roles(&speakers, &["organizer"]);
    let speaker = eventually(WAIT, "the company is known to speakers", || async {
        let answer = organizer.post("/api/v1/speakers", &json!({"email": "noa@example.ch", "firstName": "Noa", "lastName": "Frei", "companyId": company["id"]})).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    Readers {
        _db: db,
        events,
        speakers,
        _companies: companies,
        speaker_id: speaker["id"].as_str().unwrap().parse().unwrap(),
    }
}

/// A file as the content context announces it after its checks.
fn upload(
    content_type: ContentType,
    owner_kind: OwnerKind,
    owner_id: Uuid,
    file_name: &str,
    public_url: Option<String>,
    uploaded_at: DateTime<Utc>,
) -> ContentUploaded {
    ContentUploaded {
        file_id: Uuid::now_v7(),
        content_type: content_type.into(),
        owner_kind: owner_kind.into(),
        owner_id,
        file_name: file_name.to_owned(),
        mime_type: "application/pdf".into(),
        size_bytes: 48_213,
        checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        s3_key: format!("files/{owner_id}/{file_name}"),
        public_url,
        uploaded_by: "user-speaker".into(),
        uploaded_at,
    }
}

fn deletion(file: &ContentUploaded) -> ContentDeleted {
    ContentDeleted {
        file_id: file.file_id,
        content_type: file.content_type.clone(),
        owner_kind: file.owner_kind.clone(),
        owner_id: file.owner_id,
        reason: DeletionReason::Deleted.into(),
        deleted_at: Utc::now(),
    }
}

async fn agenda(events: &TestService, event_id: &str) -> Answer {
    Api::anonymous(events)
        .get(&format!("/api/v1/events/{event_id}/agenda"))
        .await
}

/// The first session of the agenda (the keynote).
fn keynote(agenda: &Value) -> &Value {
    &agenda["slots"][0]["session"]
}

#[tokio::test]
async fn a_speaker_photo_upload_reaches_the_profile_and_the_public_agenda_until_it_is_deleted() {
    let fleet = readers().await;
    let speaker = fleet.speaker_id;
    let planner = Api::as_roles(&fleet.events, &["organizer"]);
    let (event_id, _, _) = published_evening_with(&planner, 61, 100, &[speaker]).await;
    let before = eventually(WAIT, "the agenda names the speaker", || async {
        let answer = agenda(&fleet.events, &event_id).await;
        (keynote(&answer.body)["speakers"][0]["name"] == "Noa Frei").then_some(answer)
    })
    .await;
    assert_eq!(
        keynote(&before.body)["speakers"][0]["photoUrl"],
        Value::Null
    );

    let bus = producer(&brokers());
    let prefix = &fleet.speakers.topic_prefix;
    let url = format!("https://cdn.batbern.test/speakers/{speaker}/portrait.jpg");
    let photo = upload(
        ContentType::SpeakerPhoto,
        OwnerKind::Speaker,
        speaker,
        "portrait.jpg",
        Some(url.clone()),
        Utc::now(),
    );
    publish(&bus, prefix, &photo).await;

    let organizer = Api::as_roles(&fleet.speakers, &["organizer"]);
    let profile = format!("/api/v1/speakers/{speaker}");
    eventually(WAIT, "the profile shows the uploaded photo", || async {
        let body = organizer.get(&profile).await.body;
        (body["profile"]["profilePhotoUrl"] == url.as_str()).then_some(())
    })
    .await;
    let shown = eventually(WAIT, "the agenda shows the profile photo", || async {
        let answer = agenda(&fleet.events, &event_id).await;
        (keynote(&answer.body)["speakers"][0]["photoUrl"] == url.as_str()).then_some(answer)
    })
    .await;
    assert_ne!(shown.etag(), before.etag(), "the photo changed the agenda");

    // An older upload arriving late changes nothing; the deletion behind it (same owner,
    // so in order) clears the photo it did not replace.
    let older = upload(
        ContentType::SpeakerPhoto,
        OwnerKind::Speaker,
        speaker,
        "old-portrait.jpg",
        Some(format!(
            "https://cdn.batbern.test/speakers/{speaker}/old.jpg"
        )),
        Utc::now() - chrono::Duration::hours(1),
    );
    publish(&bus, prefix, &older).await;
    publish(&bus, prefix, &deletion(&photo)).await;
    eventually(WAIT, "the deleted photo leaves the profile", || async {
        let body = organizer.get(&profile).await.body;
        body["profile"]["profilePhotoUrl"].is_null().then_some(())
    })
    .await;
    eventually(WAIT, "the deleted photo leaves the agenda", || async {
        let answer = agenda(&fleet.events, &event_id).await;
        let speakers = &keynote(&answer.body)["speakers"][0];
        (speakers["name"] == "Noa Frei" && speakers["photoUrl"].is_null()).then_some(())
    })
    .await;
}

/// Invites the readers' speaker to a new session and accepts; answers the assignment id
/// and the session id.
async fn accepted_assignment(fleet: &Readers) -> (String, Uuid) {
    let planner = Api::as_roles(&fleet.events, &["organizer"]);
    let event = planner
        .post(
            "/api/v1/events",
            &fleet_tests::planning::evening_event(62, 100),
        )
        .await
        .expect(StatusCode::CREATED);
    let session = planner
        .post(&format!("/api/v1/events/{}/sessions", event["id"].as_str().unwrap()), &json!({"title": "Resilient Messaging", "sessionType": "presentation", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z"}))
        .await
        .expect(StatusCode::CREATED);
    let organizer = Api::as_roles(&fleet.speakers, &["organizer"]);
    let body = json!({"speakerId": fleet.speaker_id, "sessionId": session["id"], "role": "primary_speaker"});
    let invitation = eventually(WAIT, "the session is known to speakers", || async {
        let answer = organizer.post("/api/v1/invitations", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let id = invitation["assignment"]["id"].as_str().unwrap().to_owned();
    Api::anonymous(&fleet.speakers)
        .post(
            &format!("/api/v1/invitations/{id}/accept"),
            &json!({"token": invitation["token"]}),
        )
        .await
        .expect(StatusCode::OK);
    (id, session["id"].as_str().unwrap().parse().unwrap())
}

/// Submits `materials` until the answer is no longer `not_yet_known` (a file announced a
/// moment ago may still be on its way); a file in flight is never refused as unknown.
async fn submit(me: &Api, path: &str, materials: &[Uuid]) -> Answer {
    let body = json!({"abstract": "How we keep messages flowing when brokers fail.", "materials": materials});
    eventually(WAIT, "the files are known to speakers", || async {
        let answer = me.put(path, &body).await;
        (answer.status != StatusCode::SERVICE_UNAVAILABLE).then_some(answer)
    })
    .await
}

#[tokio::test]
async fn submitted_materials_must_name_presentation_files_of_the_assignment() {
    let fleet = readers().await;
    let (id, session_id) = accepted_assignment(&fleet).await;
    let me = Api::at(
        &fleet.speakers.base_url,
        Some(fleet_tests::services::token_of_speaker(
            &fleet.speaker_id.to_string(),
        )),
    );
    let path = format!("/api/v1/session-speakers/{id}/submission");

    let unknown = submit(&me, &path, &[Uuid::new_v4()]).await;
    let problem = unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("materials[0]"));
    assert_eq!(problem["errors"][0]["message"], "is not a known file");
    me.put(
        &path,
        &json!({"abstract": "Messaging.", "materials": ["slides.pdf"]}),
    )
    .await
    .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("materials[0]"));

    let bus = producer(&brokers());
    let prefix = &fleet.speakers.topic_prefix;
    let now = Utc::now();
    let slides = upload(
        ContentType::Presentation,
        OwnerKind::Session,
        session_id,
        "resilient-messaging.pdf",
        None,
        now,
    );
    let elsewhere = upload(
        ContentType::Presentation,
        OwnerKind::Session,
        Uuid::now_v7(),
        "other-talk.pdf",
        None,
        now,
    );
    let cv = upload(
        ContentType::SpeakerCv,
        OwnerKind::Speaker,
        fleet.speaker_id,
        "cv.pdf",
        None,
        now,
    );
    for file in [&slides, &elsewhere, &cv] {
        publish(&bus, prefix, file).await;
    }

    let accepted = submit(&me, &path, &[slides.file_id])
        .await
        .expect(StatusCode::OK);
    let material = &accepted["materials"][0];
    assert_eq!(material["fileId"], slides.file_id.to_string());
    assert_eq!(material["fileName"], "resilient-messaging.pdf");
    assert_eq!(material["mimeType"], "application/pdf");
    assert_eq!(material["sizeBytes"], 48_213);
    assert_eq!(material["checksum"], slides.checksum.as_str());
    assert_eq!(
        material["downloadPath"],
        format!("/api/v1/files/{}/download", slides.file_id)
    );

    let foreign = submit(&me, &path, &[slides.file_id, elsewhere.file_id]).await;
    foreign.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("materials[1]"));
    let not_slides = submit(&me, &path, &[cv.file_id]).await;
    not_slides.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("materials[0]"));

    let moderator = Api::as_user(&fleet.speakers, "moderator", &["organizer"]);
    let review = moderator
        .post(
            &format!("/api/v1/session-speakers/{id}/review"),
            &json!({"status": "in_review"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(review["materials"].as_array().unwrap().len(), 1);
    assert_eq!(
        review["materials"][0]["fileName"],
        "resilient-messaging.pdf"
    );

    publish(&bus, prefix, &deletion(&slides)).await;
    eventually(WAIT, "the reviewer sees the file was deleted", || async {
        let body = moderator.get(&path).await.body;
        body["materials"][0]["deletedAt"].is_string().then_some(())
    })
    .await;
}

/// A session's materials as the content context announces them.
fn materials(
    session_id: Uuid,
    event_id: Uuid,
    version: i64,
    title: &str,
    published: bool,
) -> SessionMaterialsChanged {
    let presentation = PublishedPresentation {
        file_id: Uuid::now_v7(),
        title: title.to_owned(),
        is_primary: true,
        url: format!("https://cdn.batbern.test/sessions/{session_id}/{version}.pdf"),
        mime_type: "application/pdf".into(),
        size_bytes: 1_024_000,
    };
    let supplementary = PublishedMaterial {
        title: "Demo repository".into(),
        material_type: "link".into(),
        url: "https://example.org/demo".into(),
    };
    SessionMaterialsChanged {
        session_id,
        event_id,
        published_at: published.then(Utc::now),
        presentations: if published {
            vec![presentation]
        } else {
            vec![]
        },
        supplementary: if published {
            vec![supplementary]
        } else {
            vec![]
        },
        recording_url: published.then(|| "https://video.batbern.test/keynote".to_owned()),
        photo_urls: if published {
            vec!["https://cdn.batbern.test/photos/1.jpg".into()]
        } else {
            vec![]
        },
        version,
        changed_at: Utc::now(),
    }
}

#[tokio::test]
async fn published_session_materials_appear_on_the_public_agenda_and_change_its_etag() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let planner = Api::as_roles(&events, &["organizer"]);
    let (event_id, sessions, _) = published_evening(&planner, 63, 100).await;
    let (event, session): (Uuid, Uuid) = (event_id.parse().unwrap(), sessions[0].parse().unwrap());
    let before = agenda(&events, &event_id).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(keynote(&before.body).get("materials").is_none());
    let bus = producer(&brokers());

    publish(
        &bus,
        &events.topic_prefix,
        &materials(session, event, 1, "Draft", false),
    )
    .await;
    publish(
        &bus,
        &events.topic_prefix,
        &materials(session, event, 2, "Platform Teams (slides)", true),
    )
    .await;
    let shown = eventually(WAIT, "the published materials reach the agenda", || async {
        let answer = agenda(&events, &event_id).await;
        keynote(&answer.body)["materials"]
            .is_object()
            .then_some(answer)
    })
    .await;
    let shown_materials = &keynote(&shown.body)["materials"];
    assert_eq!(
        shown_materials["presentations"][0]["title"],
        "Platform Teams (slides)"
    );
    assert_eq!(shown_materials["presentations"][0]["isPrimary"], true);
    assert_eq!(
        shown_materials["supplementary"][0]["url"],
        "https://example.org/demo"
    );
    assert_eq!(
        shown_materials["recordingUrl"],
        "https://video.batbern.test/keynote"
    );
    assert_eq!(shown_materials["photoUrls"].as_array().unwrap().len(), 1);
    assert!(
        shown.body["slots"][1]["session"].get("materials").is_none(),
        "a session without materials shows none"
    );
    assert_ne!(
        shown.etag(),
        before.etag(),
        "the materials changed the agenda"
    );
    let revalidated = events
        .client
        .get(events.url(&format!("/api/v1/events/{event_id}/agenda")))
        .header("if-none-match", before.etag())
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::OK);
    let frab = Api::anonymous(&events)
        .get(&format!("/api/v1/events/{event_id}/agenda/frab"))
        .await
        .expect(StatusCode::OK);
    let talk = &frab["schedule"]["conference"]["days"][0]["rooms"]["Arena"][0];
    assert_eq!(talk["attachments"][0]["title"], "Platform Teams (slides)");

    // A version older than the shown one, arriving late, changes nothing.
    publish(
        &bus,
        &events.topic_prefix,
        &materials(session, event, 1, "Stale", true),
    )
    .await;
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&db.admin_url())
        .await
        .unwrap();
    eventually(WAIT, "events consumed all three versions", || async {
        let consumed: i64 = sqlx::query_scalar(
            "select count(*) from events.inbox where event_type = 'content.session_materials.changed.v1'",
        )
        .fetch_one(&admin)
        .await
        .unwrap();
        (consumed == 3).then_some(())
    })
    .await;
    let after = agenda(&events, &event_id).await;
    assert_eq!(
        keynote(&after.body)["materials"]["presentations"][0]["title"],
        "Platform Teams (slides)"
    );
    assert_eq!(after.etag(), shown.etag());
}
