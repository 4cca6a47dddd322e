//! The event-level quality review: a moderator moves each speaker session through its review
//! steps and the sessions roll up into the event's overall status.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{brokers, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};

const DEADLINE: &str = "2027-03-01T12:00:00Z";

/// Creates an evening event with two presentations and a break; returns `(event id, talk ids)`.
async fn event_with_talks(organizer: &Api) -> (String, Vec<String>) {
    let event = organizer
        .post("/api/v1/events", &evening_event(70, 200))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap().to_owned();
    let mut talks = Vec::new();
    for (title, kind, hour) in [
        ("Event Sourcing in Practice", "presentation", 16),
        ("Apéro", "break", 17),
        ("Zero Trust Networks", "presentation", 18),
    ] {
        let session = add_session(organizer, &id, title, kind, hour).await;
        if kind == "presentation" {
            talks.push(session);
        }
    }
    (id, talks)
}

async fn add_session(
    organizer: &Api,
    event_id: &str,
    title: &str,
    kind: &str,
    hour: u32,
) -> String {
    let body = json!({"title": title, "sessionType": kind, "startTime": format!("2027-03-12T{hour}:00:00Z"), "endTime": format!("2027-03-12T{hour}:40:00Z")});
    let session = organizer
        .post(&format!("/api/v1/events/{event_id}/sessions"), &body)
        .await
        .expect(StatusCode::CREATED);
    session["id"].as_str().unwrap().to_owned()
}

fn statuses(review: &Value) -> Vec<&str> {
    review["sessionReviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect()
}

async fn step(api: &Api, event_id: &str, session_id: &str, body: Value) -> Value {
    api.put(
        &format!("/api/v1/events/{event_id}/quality-review/sessions/{session_id}"),
        &body,
    )
    .await
    .expect(StatusCode::OK)
}

#[tokio::test]
async fn the_moderator_reviews_every_talk_until_the_event_is_approved() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let mia = Api::as_user(&service, "mia", &["speaker"]);
    let (id, talks) = event_with_talks(&organizer).await;

    let review = organizer
        .put(
            &format!("/api/v1/events/{id}/quality-review"),
            &json!({"moderatorId": "mia", "reviewDeadline": DEADLINE}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(review["overallStatus"], "pending");
    assert_eq!(
        statuses(&review),
        ["pending", "pending"],
        "only sessions with speakers are reviewed"
    );
    assert_eq!(review["overdue"], false);
    assert!(review["completedAt"].is_null());

    let (first, second) = (&talks[0], &talks[1]);
    let reviewing = step(&mia, &id, first, json!({"status": "in_review"})).await;
    assert_eq!(reviewing["overallStatus"], "in_review");
    let silent = mia
        .put(
            &format!("/api/v1/events/{id}/quality-review/sessions/{first}"),
            &json!({"status": "requires_changes"}),
        )
        .await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(silent.body["errors"][0]["field"], "feedback");
    let changes = step(
        &mia,
        &id,
        first,
        json!({"status": "requires_changes", "feedback": "Please add the lessons learned."}),
    )
    .await;
    assert_eq!(changes["overallStatus"], "requires_changes");
    assert_eq!(
        changes["sessionReviews"][0]["feedback"],
        "Please add the lessons learned."
    );
    assert_eq!(changes["sessionReviews"][0]["reviewerId"], "mia");
    let revised = step(
        &organizer,
        &id,
        first,
        json!({"status": "revision_submitted"}),
    )
    .await;
    assert_eq!(revised["overallStatus"], "revision_submitted");
    let approved_one = step(&mia, &id, first, json!({"status": "approved"})).await;
    assert_eq!(
        approved_one["overallStatus"], "pending",
        "the second talk was not reviewed yet"
    );
    assert!(approved_one["completedAt"].is_null());

    step(&mia, &id, second, json!({"status": "in_review"})).await;
    let done = step(&mia, &id, second, json!({"status": "approved"})).await;
    assert_eq!(done["overallStatus"], "approved");
    assert!(done["completedAt"].is_string());
    let read = organizer
        .get(&format!("/api/v1/events/{id}/quality-review"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(read["completedAt"], done["completedAt"]);

    let types: Vec<String> = read_topic(
        &brokers(),
        &service.topic("events"),
        usize::MAX,
        Duration::from_secs(3),
    )
    .await
    .iter()
    .map(|m| m.headers["ce_type"].clone())
    .collect();
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "events.session_review.changed.v1")
            .count(),
        6
    );
}

#[tokio::test]
async fn a_talk_added_later_joins_the_review_and_reopens_it() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let (id, talks) = event_with_talks(&organizer).await;
    organizer
        .put(
            &format!("/api/v1/events/{id}/quality-review"),
            &json!({"moderatorId": "mia", "reviewDeadline": DEADLINE}),
        )
        .await
        .expect(StatusCode::CREATED);
    for talk in &talks {
        step(&organizer, &id, talk, json!({"status": "in_review"})).await;
        step(&organizer, &id, talk, json!({"status": "approved"})).await;
    }

    add_session(&organizer, &id, "Data Mesh Lessons", "workshop", 19).await;

    let review = organizer
        .get(&format!("/api/v1/events/{id}/quality-review"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(statuses(&review), ["approved", "approved", "pending"]);
    assert_eq!(review["overallStatus"], "pending");
    assert!(
        review["completedAt"].is_null(),
        "completion is cleared once a session waits again"
    );
}

#[tokio::test]
async fn refused_steps_strangers_and_late_deadlines_are_answered_with_problems() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let (id, talks) = event_with_talks(&organizer).await;
    let path = format!("/api/v1/events/{id}/quality-review");
    assert_eq!(organizer.get(&path).await.status, StatusCode::NOT_FOUND);

    let late = organizer
        .put(
            &path,
            &json!({"moderatorId": "mia", "reviewDeadline": "2027-03-13T12:00:00Z"}),
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late.body["errors"][0]["field"], "reviewDeadline");
    let past = organizer
        .put(
            &path,
            &json!({"moderatorId": "mia", "reviewDeadline": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(past.body["errors"][0]["field"], "reviewDeadline");
    organizer
        .put(
            &path,
            &json!({"moderatorId": "mia", "reviewDeadline": DEADLINE}),
        )
        .await
        .expect(StatusCode::CREATED);
    let moved = organizer
        .put(
            &path,
            &json!({"moderatorId": "mia", "reviewDeadline": "2027-03-05T12:00:00Z"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(moved["reviewDeadline"], "2027-03-05T12:00:00Z");

    let session_path = format!("{path}/sessions/{}", talks[0]);
    let refused = organizer
        .put(&session_path, &json!({"status": "approved"}))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.body["currentState"], "pending");
    assert_eq!(refused.body["allowedTransitions"], json!(["in_review"]));

    let stranger = Api::as_user(&service, "otto", &["speaker"]);
    assert_eq!(
        stranger
            .put(&session_path, &json!({"status": "in_review"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(stranger.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        stranger
            .put(
                &path,
                &json!({"moderatorId": "otto", "reviewDeadline": DEADLINE})
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_speakers_content_review_moves_the_sessions_review() {
    use chrono::Utc;
    use shared_domain::contracts::speakers::{
        ChangesRequested, ContentApproved, MaterialSubmitted,
    };
    use uuid::Uuid;

    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let (id, talks) = event_with_talks(&organizer).await;
    organizer
        .put(
            &format!("/api/v1/events/{id}/quality-review"),
            &json!({"moderatorId": "mia", "reviewDeadline": DEADLINE}),
        )
        .await
        .expect(StatusCode::CREATED);
    let producer = fleet_tests::producer(&brokers());
    let (event_id, session_id, speaker_id) = (
        id.parse().unwrap(),
        talks[0].parse().unwrap(),
        Uuid::now_v7(),
    );
    let assignment_id = Uuid::now_v7();
    let submitted = |revision| MaterialSubmitted {
        assignment_id,
        speaker_id,
        session_id,
        event_id,
        revision,
        submitted_at: Utc::now(),
    };
    let review_path = format!("/api/v1/events/{id}/quality-review");
    let shows = |expected: &'static str| {
        let (organizer, path) = (&organizer, &review_path);
        async move {
            fleet_tests::eventually(Duration::from_secs(60), expected, || async {
                let review = organizer.get(path).await.expect(StatusCode::OK);
                (statuses(&review)[0] == expected).then_some(review)
            })
            .await
        }
    };
    fleet_tests::publish(&producer, &service.topic_prefix, &submitted(1)).await;
    shows("in_review").await;
    let changes = ChangesRequested {
        assignment_id,
        speaker_id,
        session_id,
        event_id,
        feedback: "Add the lessons learned".into(),
        revision_deadline: Utc::now() + chrono::Duration::days(7),
        requested_at: Utc::now(),
    };
    fleet_tests::publish(&producer, &service.topic_prefix, &changes).await;
    let review = shows("requires_changes").await;
    assert_eq!(
        review["sessionReviews"][0]["feedback"],
        "Add the lessons learned"
    );
    fleet_tests::publish(&producer, &service.topic_prefix, &submitted(2)).await;
    shows("revision_submitted").await;
    let approved = ContentApproved {
        assignment_id,
        speaker_id,
        session_id,
        event_id,
        revision: 2,
        abstract_text: "The lessons we learned".into(),
        photo_url: None,
        approved_at: Utc::now(),
    };
    fleet_tests::publish(&producer, &service.topic_prefix, &approved).await;
    shows("approved").await;
}
