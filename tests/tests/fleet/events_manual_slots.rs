//! An organizer places a session by hand: the answer lists every rule the placement breaks
//! (here: the speaker is unavailable then), the slot records the override and its reason,
//! and a break slot holds no session.

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn a_manual_placement_reports_its_conflicts_and_records_the_override() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let api = Api::as_roles(&service, &["organizer"]);
    let event = api
        .post("/api/v1/events", &evening_event(66, 100))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap();
    let slots = api
        .post(
            &format!("/api/v1/events/{id}/slots/generate"),
            &json!({"slotCount": 3}),
        )
        .await
        .expect(StatusCode::OK);
    let session = api
        .post(&format!("/api/v1/events/{id}/sessions"), &json!({"title": "Late Talk", "sessionType": "presentation",
            "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z", "room": "Arena"}))
        .await
        .expect(StatusCode::CREATED);
    let speaker = Uuid::now_v7();
    api.put(
        &format!(
            "/api/v1/sessions/{}/speakers",
            session["id"].as_str().unwrap()
        ),
        &json!([{"speakerId": speaker, "role": "primary_speaker", "isConfirmed": true}]),
    )
    .await
    .expect(StatusCode::OK);
    api.put(
        &format!("/api/v1/events/{id}/slot-preferences/{speaker}"),
        &json!({"preferredTimeSlots": [{"startTime": "00:00", "endTime": "23:59", "preference": "unavailable"}]}),
    )
    .await
    .expect(StatusCode::OK);

    let first = |assignable: bool| -> Value {
        let talk_types = ["theoretical", "practical", "keynote", "workshop"];
        let fits = |s: &&Value| talk_types.contains(&s["slotType"].as_str().unwrap()) == assignable;
        slots
            .as_array()
            .unwrap()
            .iter()
            .find(fits)
            .cloned()
            .unwrap()
    };
    let talk = first(true);
    let placed = api
        .put(
            &format!("/api/v1/events/{id}/slots/{}/assignment", talk["id"].as_str().unwrap()),
            &json!({"sessionId": session["id"], "conflictResolution": "the speaker moves their train"}),
        )
        .await
        .expect(StatusCode::OK);
    let kinds: Vec<&str> = placed["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"unavailable"), "{placed}");
    let assignment = &placed["slot"]["slotAssignment"];
    assert_eq!(assignment["manualOverride"], true);
    assert_eq!(
        assignment["conflictResolution"],
        "the speaker moves their train"
    );
    assert_eq!(placed["slot"]["assignedSessionId"], session["id"]);

    let pause = first(false);
    api.put(
        &format!(
            "/api/v1/events/{id}/slots/{}/assignment",
            pause["id"].as_str().unwrap()
        ),
        &json!({"sessionId": session["id"]}),
    )
    .await
    .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("slotId"));
}
