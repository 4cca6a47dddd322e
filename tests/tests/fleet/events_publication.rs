//! Publication waits for the speakers' content review: an agenda whose speakers' content is
//! not approved yet is refused with a problem naming them, until the speakers context's
//! approvals arrive (or an organizer overrides the review with a reason); the published
//! agenda then shows each approved abstract.

use std::time::Duration;

use chrono::Utc;
use fleet_tests::api::Api;
use fleet_tests::planning::drafted_evening;
use fleet_tests::{eventually, publish, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
use shared_domain::contracts::speakers::ContentApproved;
use uuid::Uuid;

async fn publish_status(api: &Api, id: &str, body: serde_json::Value) -> fleet_tests::api::Answer {
    let current = api.get(&format!("/api/v1/events/{id}")).await;
    api.post_if(
        &format!("/api/v1/events/{id}/status"),
        &body,
        &current.etag(),
    )
    .await
}

#[tokio::test]
async fn publishing_waits_for_every_speakers_approved_content() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let api = Api::as_roles(&events, &["organizer"]);
    let (id, sessions, speakers) = drafted_evening(&api, 91, 50).await;

    let refused = publish_status(&api, &id, json!({"status": "published"})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(
        refused.body["unapprovedSpeakers"].as_array().unwrap().len(),
        4
    );
    let blank = publish_status(
        &api,
        &id,
        json!({"status": "published", "overrideContentReview": "  "}),
    )
    .await;
    assert_eq!(
        blank.status,
        StatusCode::CONFLICT,
        "an override needs a reason"
    );

    let producer = fleet_tests::producer(&fleet_tests::brokers());
    for (n, (session, speaker)) in sessions.iter().zip(&speakers).enumerate().take(3) {
        let approved = ContentApproved {
            assignment_id: Uuid::now_v7(),
            speaker_id: *speaker,
            session_id: session.parse().unwrap(),
            event_id: id.parse().unwrap(),
            revision: 1,
            abstract_text: format!("Approved abstract {n}"),
            photo_url: None,
            approved_at: Utc::now(),
        };
        publish(&producer, &events.topic_prefix, &approved).await;
    }
    let last = speakers[3].to_string();
    let waiting = eventually(
        Duration::from_secs(60),
        "three approvals arrive",
        || async {
            let answer = publish_status(&api, &id, json!({"status": "published"})).await;
            let names = answer.body["unapprovedSpeakers"].clone();
            (names == json!([last])).then_some(answer)
        },
    )
    .await;
    assert!(
        waiting.body["detail"].as_str().unwrap().contains(&last),
        "the problem names the speaker"
    );

    let published = publish_status(
        &api,
        &id,
        json!({"status": "published", "overrideContentReview": "the last talk is a surprise"}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(published["status"], "published");
    let agenda = Api::anonymous(&events)
        .get(&format!("/api/v1/events/{id}/agenda"))
        .await
        .expect(StatusCode::OK);
    assert!(
        agenda.to_string().contains("Approved abstract 0"),
        "{agenda}"
    );
}
