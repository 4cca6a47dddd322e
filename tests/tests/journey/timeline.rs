//! Ops follow a registration through the fleet by the `X-Request-Id` its API answer
//! carried: `batbern-ops saga <id>` asks every service of the journeys' fleet for what it
//! recorded of that correlation id and shows each hop of the registration saga, with
//! nothing left waiting once the attendee's status mail is on its way.

use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::gateway::{new_attendee, Caller, Fleet};

/// The ops command, built beside the test binaries.
fn batbern_ops() -> Command {
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().unwrap().parent().unwrap();
    Command::new(profile.join("batbern-ops"))
}

/// `batbern-ops saga <id> --json` against the journeys' fleet (its ports are the
/// registry's shifted like its gateway's).
fn saga(fleet: &Fleet, correlation_id: &str) -> Value {
    let gateway_port: u16 = fleet.gateway.rsplit(':').next().unwrap().parse().unwrap();
    let output = batbern_ops()
        .args(["saga", correlation_id, "--json"])
        .env("FLEET_PORT_OFFSET", (gateway_port - 8080).to_string())
        .env_remove("BATBERN_TOKEN")
        .output()
        .expect("batbern-ops runs");
    assert!(
        output.status.success(),
        "batbern-ops saga failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON timeline")
}

fn has_step(timeline: &Value, service: &str, kind: &str, event_type: &str) -> bool {
    timeline["steps"].as_array().unwrap().iter().any(|step| {
        step["service"] == service && step["kind"] == kind && step["eventType"] == event_type
    })
}

#[tokio::test]
async fn a_registration_is_followed_through_every_service_by_its_request_id() {
    let fleet = Fleet::from_env();
    let public = Caller::anonymous(&fleet, &Default::default());
    let demo = crate::demo::demo_event(&public).await;
    let (_, caller) = new_attendee(&public, "timeline", "Tim").await;

    let answer = caller
        .post("/api/v1/registrations", &json!({"eventId": demo["id"]}))
        .await;
    let correlation_id = answer.headers["x-request-id"].to_str().unwrap().to_owned();
    let registration = answer.expect(StatusCode::CREATED);
    assert!(!correlation_id.is_empty());

    let timeline = fleet_tests::eventually(
        Duration::from_secs(60),
        "the registration saga has run to its end",
        || async {
            let timeline = saga(&fleet, &correlation_id);
            let done = timeline["waiting"].as_array().unwrap().is_empty()
                && has_step(
                    &timeline,
                    "notifications",
                    "applied",
                    "attendees.registration.status_changed.v1",
                );
            done.then_some(timeline)
        },
    )
    .await;
    let status = caller
        .get(&format!(
            "/api/v1/registrations/{}",
            registration["id"].as_str().unwrap()
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(status["status"], "waitlisted", "the demo event is full");
    for (service, kind, event_type) in [
        (
            "attendees",
            "committed",
            "attendees.registration.requested.v1",
        ),
        (
            "attendees",
            "published",
            "attendees.registration.requested.v1",
        ),
        ("events", "applied", "attendees.registration.requested.v1"),
        ("events", "committed", "events.seat.refused.v1"),
        ("attendees", "applied", "events.seat.refused.v1"),
        (
            "attendees",
            "committed",
            "attendees.registration.status_changed.v1",
        ),
        (
            "notifications",
            "applied",
            "attendees.registration.status_changed.v1",
        ),
    ] {
        assert!(
            has_step(&timeline, service, kind, event_type),
            "{service} {kind} {event_type}: {timeline:#}"
        );
    }
    assert_eq!(timeline["unreachable"], json!([]));
    let steps = timeline["steps"].as_array().unwrap();
    let at = |kind: &str, event_type: &str| {
        steps
            .iter()
            .position(|s| s["kind"] == kind && s["eventType"] == event_type)
            .unwrap()
    };
    assert!(
        at("committed", "attendees.registration.requested.v1")
            < at("committed", "events.seat.refused.v1"),
        "in time order"
    );

    let text = batbern_ops()
        .args(["saga", &correlation_id])
        .env(
            "FLEET_PORT_OFFSET",
            (fleet
                .gateway
                .rsplit(':')
                .next()
                .unwrap()
                .parse::<u16>()
                .unwrap()
                - 8080)
                .to_string(),
        )
        .output()
        .expect("batbern-ops runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("events.seat.refused.v1"), "{text}");
    assert!(text.contains("nothing is waiting"), "{text}");
}
