//! Attendance (confirmed by attendees, recorded by organizers, single and bulk) and content
//! engagement with per-item aggregates.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::{published_evening, walk_status};
use fleet_tests::{brokers, eventually, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn attendance_is_confirmed_recorded_and_announced() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let planner = Api::as_roles(&events, &["organizer"]);
    let (event_id, sessions, _) = published_evening(&planner, 83, 10).await;
    walk_status(&planner, &event_id, &["registration_open"]).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let mut registrations = Vec::new();
    for n in 0..3 {
        let attendee = organizer
            .post("/api/v1/attendees", &json!({"email": format!("a{n}@example.ch"), "firstName": "A", "lastName": format!("{n}"), "gdprConsent": {"given": false}}))
            .await
            .expect(StatusCode::CREATED);
        let registration = organizer
            .post(
                "/api/v1/registrations",
                &json!({"eventId": event_id, "attendeeId": attendee["id"]}),
            )
            .await
            .expect(StatusCode::CREATED);
        registrations.push(registration["id"].as_str().unwrap().to_owned());
    }
    for id in &registrations {
        eventually(Duration::from_secs(60), "confirmed", || async {
            (organizer
                .get(&format!("/api/v1/registrations/{id}"))
                .await
                .body["status"]
                == "confirmed")
                .then_some(())
        })
        .await;
    }

    let confirmed = organizer
        .post(
            &format!(
                "/api/v1/registrations/{}/confirm-attendance",
                registrations[0]
            ),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(confirmed["attendanceConfirmed"], true);
    let single = organizer
        .put(
            &format!("/api/v1/registrations/{}/attendance", registrations[0]),
            &json!({"attended": true}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(single["status"], "attended");
    assert_eq!(single["actualAttendance"], true);
    let unknown = Uuid::now_v7();
    let bulk = organizer
        .post("/api/v1/registrations/attendance", &json!({"registrations": [{"registrationId": registrations[1], "attended": true}, {"registrationId": registrations[2], "attended": false}, {"registrationId": unknown, "attended": true}]}))
        .await
        .expect(StatusCode::OK);
    let recorded: Vec<bool> = bulk
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["recorded"].as_bool().unwrap())
        .collect();
    assert_eq!(recorded, [true, true, false]);
    let empty = organizer
        .post(
            "/api/v1/registrations/attendance",
            &json!({"registrations": []}),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let announced = read_topic(
        &brokers(),
        &service.topic("attendees"),
        usize::MAX,
        Duration::from_secs(3),
    )
    .await
    .into_iter()
    .filter(|m| m.headers["ce_type"] == "attendees.registration.attendance_recorded.v1")
    .count();
    assert_eq!(announced, 3);

    let attendee_id = organizer
        .get(&format!("/api/v1/registrations/{}", registrations[0]))
        .await
        .body["attendeeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = &sessions[0];
    for body in [
        json!({"contentType": "session", "contentId": session, "engagementType": "view"}),
        json!({"contentType": "session", "contentId": session, "engagementType": "rating", "value": 2}),
        json!({"contentType": "session", "contentId": session, "engagementType": "rating", "value": 4.5}),
        json!({"contentType": "session", "contentId": session, "engagementType": "download"}),
        json!({"contentType": "session", "contentId": session, "engagementType": "view"}),
        json!({"contentType": "session", "contentId": session, "engagementType": "download"}),
    ] {
        assert_eq!(
            organizer
                .post(
                    &format!("/api/v1/attendees/{attendee_id}/engagements"),
                    &body
                )
                .await
                .status,
            StatusCode::NO_CONTENT
        );
    }
    let too_high = organizer.post(&format!("/api/v1/attendees/{attendee_id}/engagements"), &json!({"contentType": "session", "contentId": session, "engagementType": "rating", "value": 6})).await;
    assert_eq!(too_high.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = organizer
        .get(&format!("/api/v1/attendees/engagement/session/{session}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        summary["views"], 1,
        "a view repeated within the hour counts once"
    );
    assert_eq!(summary["downloads"], 1, "so does a download");
    assert_eq!(summary["ratings"], 1, "rating again replaces the rating");
    assert_eq!(summary["averageRating"], 4.5);
    assert_eq!(
        organizer
            .get(&format!("/api/v1/attendees/engagement/video/{session}"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}
