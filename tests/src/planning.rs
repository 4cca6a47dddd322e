//! Planning an event through the events API, as organizers do.

use crate::api::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// An evening event (3–4 slots) starting 2027-03-12 17:00 Bern time.
pub fn evening_event(number: i32, capacity: i32) -> Value {
    json!({
        "eventNumber": number,
        "title": "Cloud Native Architecture",
        "description": "Architecture patterns for the cloud",
        "eventDate": "2027-03-12T16:00:00Z",
        "registrationDeadline": "2027-03-10T22:59:00Z",
        "eventType": "evening",
        "venue": {"name": "Kursaal Bern", "address": "Kornhausstrasse 3, 3013 Bern", "capacity": capacity.max(400)},
        "capacity": capacity,
        "metadata": {"theme": "cloud"}
    })
}

/// Moves the event through `statuses`, each with the current ETag; returns the last body.
pub async fn walk_status(api: &Api, id: &str, statuses: &[&str]) -> Value {
    let mut body = Value::Null;
    for status in statuses {
        let current = api.get(&format!("/api/v1/events/{id}")).await;
        body = api
            .post_if(
                &format!("/api/v1/events/{id}/status"),
                &json!({"status": status}),
                &current.etag(),
            )
            .await
            .expect(StatusCode::OK);
    }
    body
}

/// Moves the workflow through `states`.
pub async fn walk_workflow(api: &Api, id: &str, states: &[&str]) {
    for state in states {
        let current = api.get(&format!("/api/v1/events/{id}")).await;
        api.post_if(
            &format!("/api/v1/events/{id}/workflow"),
            &json!({"workflowState": state}),
            &current.etag(),
        )
        .await
        .expect(StatusCode::OK);
    }
}

pub const WORKFLOW: [&str; 7] = [
    "speaker_brainstorming",
    "speaker_assignment",
    "speaker_outreach",
    "content_collection",
    "quality_review",
    "slot_assignment",
    "agenda_finalization",
];

/// Creates an evening event with four sessions whose speakers accepted, assigns them
/// automatically and publishes it (overriding the content review: the speakers were
/// recorded by hand); returns `(event id, session ids, speaker ids)`.
pub async fn published_evening(
    api: &Api,
    number: i32,
    capacity: i32,
) -> (String, Vec<String>, Vec<Uuid>) {
    published_evening_with(api, number, capacity, &[]).await
}

/// [`published_evening`] with `known` speakers (e.g. created in the speakers service) on its
/// first sessions; the other sessions get new speaker ids.
pub async fn published_evening_with(
    api: &Api,
    number: i32,
    capacity: i32,
    known: &[Uuid],
) -> (String, Vec<String>, Vec<Uuid>) {
    let (id, sessions, speakers) = drafted_evening_with(api, number, capacity, known).await;
    let current = api.get(&format!("/api/v1/events/{id}")).await;
    api.post_if(
        &format!("/api/v1/events/{id}/status"),
        &json!({"status": "published", "overrideContentReview": "speakers recorded by the organizer"}),
        &current.etag(),
    )
    .await
    .expect(StatusCode::OK);
    (id, sessions, speakers)
}

/// The evening of [`published_evening`] with its agenda drafted, not yet published.
pub async fn drafted_evening(
    api: &Api,
    number: i32,
    capacity: i32,
) -> (String, Vec<String>, Vec<Uuid>) {
    drafted_evening_with(api, number, capacity, &[]).await
}

/// [`drafted_evening`] with `known` speakers on its first sessions.
pub async fn drafted_evening_with(
    api: &Api,
    number: i32,
    capacity: i32,
    known: &[Uuid],
) -> (String, Vec<String>, Vec<Uuid>) {
    let event = api
        .post("/api/v1/events", &evening_event(number, capacity))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap().to_owned();
    let slots = api
        .post(
            &format!("/api/v1/events/{id}/slots/generate"),
            &json!({"slotCount": 4}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(slots.as_array().unwrap().len(), 6);
    let mut sessions = Vec::new();
    let mut speakers = Vec::new();
    for (n, title) in [
        "Keynote: Platform Teams",
        "Event Sourcing in Practice",
        "Zero Trust Networks",
        "Data Mesh Lessons",
    ]
    .iter()
    .enumerate()
    {
        let start = format!("2027-03-12T{}:00:00Z", 16 + n);
        let end = format!("2027-03-12T{}:40:00Z", 16 + n);
        let session = api
            .post(&format!("/api/v1/events/{id}/sessions"), &json!({"title": title, "sessionType": if n == 0 { "keynote" } else { "presentation" }, "startTime": start, "endTime": end, "room": "Arena", "tags": ["architecture"], "targetAudience": ["intermediate"]}))
            .await
            .expect(StatusCode::CREATED);
        let session_id = session["id"].as_str().unwrap().to_owned();
        let speaker = known.get(n).copied().unwrap_or_else(Uuid::now_v7);
        api.put(
            &format!("/api/v1/sessions/{session_id}/speakers"),
            &json!([{"speakerId": speaker, "role": "primary_speaker", "isConfirmed": true}]),
        )
        .await
        .expect(StatusCode::OK);
        sessions.push(session_id);
        speakers.push(speaker);
    }
    let assigned = api
        .post(
            &format!("/api/v1/events/{id}/slots/auto-assign"),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        assigned["assigned"].as_array().unwrap().len(),
        4,
        "{assigned}"
    );
    walk_workflow(api, &id, &WORKFLOW).await;
    walk_status(
        api,
        &id,
        &["topic_defined", "speakers_invited", "agenda_draft"],
    )
    .await;
    (id, sessions, speakers)
}
