//! `scripts/fleet --demo` (which the journeys' fleet runs) loads a whole conference through
//! the gateway; its public agenda names every speaker with company and approved abstract,
//! and its partner companies are partners.

use reqwest::StatusCode;
use serde_json::Value;

use crate::gateway::{Caller, Fleet, SubjectIds};

/// The demo conference (event 42, full), as the public list shows it.
pub async fn demo_event(public: &Caller) -> Value {
    let events = public
        .get("/api/v1/events?limit=100")
        .await
        .expect(StatusCode::OK);
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventNumber"] == 42)
        .unwrap_or_else(|| panic!("the demo event is listed without a token: {events}"))
        .clone()
}

#[tokio::test]
async fn the_demo_conference_is_published_with_its_speakers_named() {
    let fleet = Fleet::from_env();
    let public = Caller::anonymous(&fleet, &Default::default());
    let demo = &demo_event(&public).await;
    assert_eq!(demo["status"], "registration_open");
    let agenda = public
        .get(&format!(
            "/api/v1/events/{}/agenda",
            demo["id"].as_str().unwrap()
        ))
        .await
        .expect(StatusCode::OK);
    let speakers: Vec<&Value> = agenda["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["session"]["speakers"].as_array())
        .flatten()
        .collect();
    assert_eq!(speakers.len(), 3, "{agenda}");
    for speaker in speakers {
        assert!(speaker["name"].is_string(), "named: {speaker}");
        assert_eq!(speaker["company"], "Puzzle ITC");
        assert!(
            speaker["abstract"].is_string(),
            "approved abstract: {speaker}"
        );
    }
    assert_eq!(
        agenda["event"]["seatsTaken"], 3,
        "full, the fourth attendee waits"
    );
    let organizer = public.with_token("demo-check", &["organizer"], SubjectIds::default());
    let partners = organizer
        .get("/api/v1/partners?isActive=true&limit=100")
        .await
        .expect(StatusCode::OK);
    let demo_partners = partners["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["partnershipStartDate"] == "2026-01-01")
        .count();
    assert_eq!(demo_partners, 3, "{partners}");
}
