//! Content quality review with its revision loop (each submission announced as
//! `MaterialSubmitted`), and the invitation saga surviving a crash of the speakers service
//! between acceptance and its consumption by events.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{brokers, eventually, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;

struct Saga {
    db: TestDb,
    events: TestService,
    speakers: TestService,
    _companies: TestService,
    speaker_id: String,
    event_id: String,
    invitation: Value,
}

async fn invited(number: i32) -> Saga {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Gamma AG", "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let organizer = Api::as_roles(&speakers, &["organizer"]);
    let speaker = eventually(Duration::from_secs(60), "company known", || async {
        let answer = organizer.post("/api/v1/speakers", &json!({"email": "ria@example.ch", "firstName": "Ria", "lastName": "R", "companyId": company["id"]})).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let planner = Api::as_roles(&events, &["organizer"]);
    let event = planner
        .post("/api/v1/events", &evening_event(number, 100))
        .await
        .expect(StatusCode::CREATED);
    let event_id = event["id"].as_str().unwrap().to_owned();
    let session = planner
        .post(&format!("/api/v1/events/{event_id}/sessions"), &json!({"title": "Observability", "sessionType": "presentation", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z"}))
        .await
        .expect(StatusCode::CREATED);
    let body =
        json!({"speakerId": speaker["id"], "sessionId": session["id"], "role": "primary_speaker"});
    let invitation = eventually(Duration::from_secs(60), "session known", || async {
        let answer = organizer.post("/api/v1/invitations", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    Saga {
        db,
        events,
        speakers,
        _companies: companies,
        speaker_id: speaker["id"].as_str().unwrap().to_owned(),
        event_id,
        invitation,
    }
}

async fn accept(saga: &Saga) -> String {
    let id = saga.invitation["assignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Api::anonymous(&saga.speakers)
        .post(
            &format!("/api/v1/invitations/{id}/accept"),
            &json!({"token": saga.invitation["token"]}),
        )
        .await
        .expect(StatusCode::OK);
    id
}

#[tokio::test]
async fn a_moderator_requests_changes_and_approves_the_revision() {
    let saga = invited(97).await;
    let id = accept(&saga).await;
    let me = Api::at(
        &saga.speakers.base_url,
        Some(fleet_tests::services::token_of_speaker(&saga.speaker_id)),
    );
    let moderator = Api::as_user(&saga.speakers, "moderator", &["organizer"]);
    let path = format!("/api/v1/session-speakers/{id}/submission");

    let first = me.put(&path, &json!({"abstract": "How we made our platform observable.", "bio": "Ria builds platforms."})).await.expect(StatusCode::OK);
    assert_eq!(first["reviewStatus"], "pending");
    assert_eq!(first["characterCount"], 36);
    let review = format!("/api/v1/session-speakers/{id}/review");
    let skipped = moderator
        .post(&review, &json!({"status": "approved"}))
        .await;
    assert_eq!(skipped.status, StatusCode::CONFLICT);
    assert_eq!(skipped.body["allowedTransitions"], json!(["in_review"]));
    moderator
        .post(&review, &json!({"status": "in_review"}))
        .await
        .expect(StatusCode::OK);
    let no_deadline = moderator
        .post(
            &review,
            &json!({"status": "requires_changes", "feedback": "Add lessons learned"}),
        )
        .await;
    assert_eq!(no_deadline.body["errors"][0]["field"], "revisionDeadline");
    let changes = moderator
        .post(&review, &json!({"status": "requires_changes", "feedback": "Add lessons learned", "revisionDeadline": "2030-01-01T00:00:00Z", "abstractReview": {"hasLessonsLearned": false, "hasProductPromotion": false, "meetsStandards": false, "issues": ["no lessons learned"]}}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(changes["reviewStatus"], "requires_changes");
    assert_eq!(changes["abstractReview"]["characterCount"], 36);

    let revised = me.put(&path, &json!({"abstract": "How we made our platform observable, and the three lessons we learned.", "bio": "Ria builds platforms."})).await.expect(StatusCode::OK);
    assert_eq!(revised["reviewStatus"], "revision_submitted");
    let changed: Vec<&str> = revised["changesSinceReview"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        ["abstract"],
        "only the abstract changed since the review"
    );
    let approved = moderator.post(&review, &json!({"status": "approved", "abstractReview": {"hasLessonsLearned": true, "hasProductPromotion": false, "meetsStandards": true}})).await.expect(StatusCode::OK);
    assert_eq!(approved["reviewStatus"], "approved");
    let link = format!(
        "/api/v1/invitations/{id}?token={}",
        saga.invitation["token"].as_str().unwrap()
    );
    assert_eq!(
        Api::anonymous(&saga.speakers)
            .get(&link)
            .await
            .expect(StatusCode::OK)["workflowState"],
        "quality_reviewed"
    );
    assert_eq!(
        me.put(&path, &json!({"abstract": "late change"}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let stranger = Api::at(
        &saga.speakers.base_url,
        Some(fleet_tests::services::token_of_speaker(
            &uuid::Uuid::now_v7().to_string(),
        )),
    );
    assert_eq!(
        stranger.get(&path).await.status,
        StatusCode::NOT_FOUND,
        "another speaker learns nothing of the assignment"
    );
    let messages = read_topic(
        &brokers(),
        &saga.speakers.topic("speakers"),
        usize::MAX,
        Duration::from_secs(3),
    )
    .await;
    let requested = messages
        .iter()
        .filter(|m| m.headers["ce_type"] == "speakers.quality_review.changes_requested.v1")
        .count();
    assert_eq!(requested, 1);
    let submitted: Vec<&Value> = messages
        .iter()
        .filter(|m| m.headers["ce_type"] == "speakers.material.submitted.v1")
        .map(|m| &m.payload)
        .collect();
    let revisions: Vec<&Value> = submitted.iter().map(|p| &p["revision"]).collect();
    assert_eq!(
        revisions,
        [&json!(1), &json!(2)],
        "the first submission and its revision; the refused late change announces nothing"
    );
    assert!(submitted.iter().all(|p| p["assignmentId"] == id.as_str()
        && p["speakerId"] == saga.speaker_id.as_str()
        && p["eventId"] == saga.event_id.as_str()));
}

#[tokio::test]
async fn an_acceptance_survives_a_crash_of_the_speakers_service_and_applies_once() {
    let saga = invited(98).await;
    accept(&saga).await;
    let (database_url, prefix) = saga.speakers.crash().await;
    let _restarted = TestService::restart_speakers(database_url, prefix).await;
    let planner = Api::as_roles(&saga.events, &["organizer"]);
    eventually(
        Duration::from_secs(90),
        "events shows the accepted speaker",
        || async {
            let sessions = planner
                .get(&format!("/api/v1/events/{}/sessions", saga.event_id))
                .await
                .body;
            let speakers = sessions[0]["speakers"].as_array()?.clone();
            (speakers.len() == 1 && speakers[0]["isConfirmed"] == true).then_some(())
        },
    )
    .await;
    let mut admin = sqlx::PgConnection::connect(&saga.db.admin_url())
        .await
        .unwrap();
    let applied: i64 = sqlx::query_scalar(
        "select count(*) from events.inbox where event_type = 'speakers.speaker.accepted.v1'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(applied, 1, "the acceptance was applied exactly once");
}
