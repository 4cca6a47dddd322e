//! Planning an event from topic selection to a published agenda, through HTTP only.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::{brokers, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;

use fleet_tests::planning::{
    evening_event, published_evening, walk_status, walk_workflow, WORKFLOW,
};

#[tokio::test]
async fn organizers_plan_an_event_to_a_published_agenda() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);

    let (id, sessions, _) = published_evening(&organizer, 58, 300).await;

    let event = organizer
        .get(&format!("/api/v1/events/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(event["status"], "published");
    assert_eq!(event["workflowState"], "published");
    assert!(event["publishedAt"].is_string());
    let slots = organizer
        .get(&format!("/api/v1/events/{id}/slots"))
        .await
        .expect(StatusCode::OK);
    let talk_slots: Vec<_> = slots
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["slotAssignment"].is_object())
        .collect();
    assert_eq!(talk_slots.len(), 4);
    assert!(talk_slots
        .iter()
        .all(|s| s["slotAssignment"]["automaticallyAssigned"] == true));
    let session = organizer
        .get(&format!("/api/v1/sessions/{}", sessions[0]))
        .await
        .expect(StatusCode::OK);
    let slot = talk_slots
        .iter()
        .find(|s| s["assignedSessionId"] == session["id"])
        .unwrap();
    assert_eq!(
        session["startTime"], slot["startTime"],
        "an assigned session takes its slot's time"
    );

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
            .filter(|t| *t == "events.session.created.v1")
            .count(),
        4
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "events.event.status_changed.v1")
            .count(),
        4
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "events.event.published.v1")
            .count(),
        1
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "events.event.workflow_changed.v1")
            .count(),
        7
    );
}

#[tokio::test]
async fn an_incomplete_agenda_cannot_be_published() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(60, 100))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap();
    organizer
        .post(
            &format!("/api/v1/events/{id}/slots/generate"),
            &json!({"slotCount": 3}),
        )
        .await
        .expect(StatusCode::OK);
    let session = organizer
        .post(&format!("/api/v1/events/{id}/sessions"), &json!({"title": "Lonely talk", "sessionType": "presentation", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z"}))
        .await
        .expect(StatusCode::CREATED);
    let speaker = uuid::Uuid::now_v7();
    organizer
        .put(
            &format!(
                "/api/v1/sessions/{}/speakers",
                session["id"].as_str().unwrap()
            ),
            &json!([{"speakerId": speaker, "role": "primary_speaker", "isConfirmed": false}]),
        )
        .await
        .expect(StatusCode::OK);
    walk_workflow(&organizer, id, &WORKFLOW).await;
    walk_status(
        &organizer,
        id,
        &["topic_defined", "speakers_invited", "agenda_draft"],
    )
    .await;

    let current = organizer.get(&format!("/api/v1/events/{id}")).await;
    let refused = organizer
        .post_if(
            &format!("/api/v1/events/{id}/status"),
            &json!({"status": "published"}),
            &current.etag(),
        )
        .await;

    assert_eq!(refused.status, StatusCode::CONFLICT);
    let missing: Vec<&str> = refused.body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(
        missing.iter().all(|m| m.contains("has no session")),
        "an unaccepted session is not placed: {missing:?}"
    );
}

#[tokio::test]
async fn refused_transitions_name_the_current_state_and_the_allowed_ones() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(61, 100))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap();
    let etag = format!("\"{}\"", event["version"]);

    let status = organizer
        .post_if(
            &format!("/api/v1/events/{id}/status"),
            &json!({"status": "registration_open"}),
            &etag,
        )
        .await;
    assert_eq!(status.status, StatusCode::CONFLICT);
    assert_eq!(status.body["currentState"], "planning");
    assert_eq!(
        status.body["allowedTransitions"],
        json!(["topic_defined", "archived"])
    );

    let workflow = organizer
        .post_if(
            &format!("/api/v1/events/{id}/workflow"),
            &json!({"workflowState": "published"}),
            &etag,
        )
        .await;
    assert_eq!(workflow.status, StatusCode::CONFLICT);
    assert_eq!(
        workflow.body["allowedTransitions"],
        json!(["speaker_brainstorming"])
    );

    let unknown = organizer
        .post_if(
            &format!("/api/v1/events/{id}/status"),
            &json!({"status": "cancelled"}),
            &etag,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.body["errors"][0]["field"], "status");

    let stale = organizer
        .post_if(
            &format!("/api/v1/events/{id}/status"),
            &json!({"status": "topic_defined"}),
            "\"99\"",
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn event_input_is_validated_and_planning_events_are_hidden_from_the_public() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let mut bad = evening_event(62, 500);
    bad["venue"]["capacity"] = json!(400);
    bad["slotConfiguration"] = json!({"eventType": "evening", "minSlots": 3, "maxSlots": 8, "slotDuration": 40, "theoreticalSlotsAM": false, "breakSlots": 1, "lunchSlots": 0});
    let refused = organizer.post("/api/v1/events", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["capacity", "slotConfiguration.minSlots"]);

    let created = organizer
        .post("/api/v1/events", &evening_event(62, 100))
        .await
        .expect(StatusCode::CREATED);
    let taken = organizer
        .post("/api/v1/events", &evening_event(62, 100))
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let id = created["id"].as_str().unwrap();

    let attendee = Api::as_roles(&service, &["attendee"]);
    assert_eq!(
        attendee.get(&format!("/api/v1/events/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        attendee.get("/api/v1/events").await.expect(StatusCode::OK)["items"],
        json!([])
    );
    assert_eq!(
        Api::anonymous(&service)
            .get(&format!("/api/v1/events/{id}/agenda"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        attendee
            .post("/api/v1/events", &evening_event(63, 10))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let overlapping = json!({"title": "Clash", "sessionType": "workshop", "startTime": "2027-03-12T16:10:00Z", "endTime": "2027-03-12T16:50:00Z", "room": "Arena"});
    organizer
        .post(&format!("/api/v1/events/{id}/sessions"), &json!({"title": "First", "sessionType": "workshop", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z", "room": "arena"}))
        .await
        .expect(StatusCode::CREATED);
    let clash = organizer
        .post(&format!("/api/v1/events/{id}/sessions"), &overlapping)
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(clash.body["errors"][0]["field"], "startTime");
}

#[tokio::test]
async fn only_organizers_see_speakers_who_have_not_confirmed() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let attendee = Api::as_user(&service, "user-attendee", &["attendee"]);
    let (id, sessions, speakers) = published_evening(&organizer, 61, 100).await;
    let session = &sessions[0];
    let pending = uuid::Uuid::now_v7();
    organizer
        .put(
            &format!("/api/v1/sessions/{session}/speakers"),
            &json!([
                {"speakerId": speakers[0], "role": "primary_speaker", "isConfirmed": true},
                {"speakerId": pending, "role": "co_speaker", "isConfirmed": false}
            ]),
        )
        .await
        .expect(StatusCode::OK);
    let speaker_ids = |session: &serde_json::Value| -> Vec<String> {
        session["speakers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["speakerId"].as_str().unwrap().to_owned())
            .collect()
    };
    let confirmed = vec![speakers[0].to_string()];

    let seen = organizer
        .get(&format!("/api/v1/sessions/{session}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(speaker_ids(&seen).len(), 2, "{seen}");
    let seen = attendee
        .get(&format!("/api/v1/sessions/{session}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(speaker_ids(&seen), confirmed, "{seen}");
    let listed = attendee
        .get(&format!("/api/v1/events/{id}/sessions"))
        .await
        .expect(StatusCode::OK);
    let listed = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session.as_str())
        .cloned()
        .unwrap();
    assert_eq!(speaker_ids(&listed), confirmed, "{listed}");
}
