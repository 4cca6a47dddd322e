//! Overflow management: more accepted sessions than slots → organizers vote, the best-voted
//! (then best-fitting) speakers keep their sessions, the others are declined and never placed.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{brokers, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

async fn accepted_session(api: &Api, event_id: &str, n: usize) -> (String, Uuid) {
    let session = api
        .post(&format!("/api/v1/events/{event_id}/sessions"), &json!({"title": format!("Talk {n}"), "sessionType": "presentation", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z", "room": format!("Room {n}")}))
        .await
        .expect(StatusCode::CREATED);
    let id = session["id"].as_str().unwrap().to_owned();
    let speaker = Uuid::from_u128(n as u128 + 1);
    api.put(
        &format!("/api/v1/sessions/{id}/speakers"),
        &json!([{"speakerId": speaker, "role": "primary_speaker", "isConfirmed": true}]),
    )
    .await
    .expect(StatusCode::OK);
    (id, speaker)
}

#[tokio::test]
async fn votes_then_topic_fit_select_the_speakers_for_the_slots() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let anna = Api::as_user(&service, "anna", &["organizer"]);
    let bert = Api::as_user(&service, "bert", &["organizer"]);
    let event = anna
        .post("/api/v1/events", &evening_event(80, 100))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap();
    anna.post(
        &format!("/api/v1/events/{id}/slots/generate"),
        &json!({"slotCount": 3}),
    )
    .await
    .expect(StatusCode::OK);
    let mut sessions = Vec::new();
    for n in 0..3 {
        sessions.push(accepted_session(&anna, id, n).await);
    }
    let no_overflow = anna
        .post(
            &format!("/api/v1/events/{id}/overflow"),
            &json!({"votingDeadline": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        no_overflow.status,
        StatusCode::CONFLICT,
        "three sessions fit three slots"
    );
    for n in 3..5 {
        sessions.push(accepted_session(&anna, id, n).await);
    }
    let fits: Vec<Value> = sessions
        .iter()
        .enumerate()
        .map(|(n, (session, _))| json!({"sessionId": session, "score": 10.0 * n as f64}))
        .collect();

    let opened = anna
        .post(
            &format!("/api/v1/events/{id}/overflow"),
            &json!({"votingDeadline": "2030-01-01T00:00:00Z", "topicFitScores": fits}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(opened["seats"], 3);
    assert_eq!(opened["overflowSpeakers"].as_array().unwrap().len(), 5);
    let speaker = |n: usize| sessions[n].1;
    for (voter, n, vote) in [
        (&anna, 0, "approve"),
        (&bert, 0, "approve"),
        (&anna, 1, "approve"),
        (&bert, 4, "reject"),
        (&anna, 2, "abstain"),
    ] {
        voter
            .put(
                &format!("/api/v1/events/{id}/overflow/votes/{}", speaker(n)),
                &json!({"vote": vote}),
            )
            .await
            .expect(StatusCode::OK);
    }
    let unknown = anna
        .put(
            &format!("/api/v1/events/{id}/overflow/votes/{}", Uuid::now_v7()),
            &json!({"vote": "approve"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let done = anna
        .post(
            &format!("/api/v1/events/{id}/overflow/complete"),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);

    let selected: Vec<String> = done["overflowSpeakers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["isSelected"] == true)
        .map(|s| s["speakerId"].as_str().unwrap().to_owned())
        .collect();
    let mut expected = vec![
        speaker(0).to_string(),
        speaker(1).to_string(),
        speaker(3).to_string(),
    ];
    expected.sort();
    let mut selected_sorted = selected.clone();
    selected_sorted.sort();
    assert_eq!(
        selected_sorted, expected,
        "two approved, then the best topic fit among the rest (speaker 3 beats 2; 4 was rejected)"
    );
    let closed = anna
        .put(
            &format!("/api/v1/events/{id}/overflow/votes/{}", speaker(2)),
            &json!({"vote": "approve"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::CONFLICT);

    let assigned = anna
        .post(
            &format!("/api/v1/events/{id}/slots/auto-assign"),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    let placed: Vec<&str> = assigned["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sessionId"].as_str().unwrap())
        .collect();
    assert_eq!(placed.len(), 3);
    assert!(
        !placed.contains(&sessions[2].0.as_str()) && !placed.contains(&sessions[4].0.as_str()),
        "declined sessions are never placed"
    );

    let declined: Vec<_> = read_topic(
        &brokers(),
        &service.topic("events"),
        usize::MAX,
        Duration::from_secs(3),
    )
    .await
    .into_iter()
    .filter(|m| m.headers["ce_type"] == "events.overflow_speaker.declined.v1")
    .collect();
    assert_eq!(declined.len(), 2);
}
