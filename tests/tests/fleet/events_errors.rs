//! Bad input to the events API: always a problem+json naming what is wrong, never a 500.

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn bad_requests_to_events_get_problems_naming_the_field() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(90, 100))
        .await
        .expect(StatusCode::CREATED);
    let id = event["id"].as_str().unwrap();
    let missing = uuid::Uuid::now_v7();
    let mut wrong_type = evening_event(91, 100);
    wrong_type["capacity"] = json!("lots");
    let mut bad_enum = evening_event(92, 100);
    bad_enum["eventType"] = json!("brunch");
    let mut bad_date = evening_event(93, 100);
    bad_date["eventDate"] = json!("next tuesday");
    type Case<'a> = (
        &'a str,
        Method,
        String,
        Option<Value>,
        StatusCode,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            "wrong type",
            Method::POST,
            "/api/v1/events".into(),
            Some(wrong_type),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("capacity"),
        ),
        (
            "unknown enum value",
            Method::POST,
            "/api/v1/events".into(),
            Some(bad_enum),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("eventType"),
        ),
        (
            "bad date",
            Method::POST,
            "/api/v1/events".into(),
            Some(bad_date),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("eventDate"),
        ),
        (
            "unknown field",
            Method::POST,
            format!("/api/v1/events/{id}/sessions"),
            Some(
                json!({"title": "T", "sessionType": "keynote", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:30:00Z", "speaker": "me"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("speaker"),
        ),
        (
            "unknown session type",
            Method::POST,
            format!("/api/v1/events/{id}/sessions"),
            Some(
                json!({"title": "T", "sessionType": "talk", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:30:00Z"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("sessionType"),
        ),
        (
            "bad event id",
            Method::GET,
            "/api/v1/events/42".into(),
            None,
            StatusCode::BAD_REQUEST,
            Some("id"),
        ),
        (
            "unknown event",
            Method::GET,
            format!("/api/v1/events/{missing}"),
            None,
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "unknown session",
            Method::GET,
            format!("/api/v1/sessions/{missing}"),
            None,
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "bad status filter",
            Method::GET,
            "/api/v1/events?status=sleeping".into(),
            None,
            StatusCode::BAD_REQUEST,
            Some("status"),
        ),
        (
            "slot count out of range",
            Method::POST,
            format!("/api/v1/events/{id}/slots/generate"),
            Some(json!({"slotCount": 9})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("slotCount"),
        ),
        (
            "unknown slot",
            Method::PUT,
            format!("/api/v1/events/{id}/slots/{missing}/assignment"),
            Some(json!({"sessionId": missing})),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "bad preference level",
            Method::PUT,
            format!("/api/v1/events/{id}/slot-preferences/{missing}"),
            Some(
                json!({"preferredTimeSlots": [{"startTime": "17:00:00", "endTime": "18:00:00", "preference": "love"}]}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        (
            "status without If-Match",
            Method::POST,
            format!("/api/v1/events/{id}/status"),
            Some(json!({"status": "topic_defined"})),
            StatusCode::PRECONDITION_REQUIRED,
            None,
        ),
        (
            "agenda of a planning event",
            Method::GET,
            format!("/api/v1/events/{id}/agenda/ical"),
            None,
            StatusCode::NOT_FOUND,
            None,
        ),
    ];
    for (name, method, path, body, expected, field) in cases {
        let answer = organizer.call(method, &path, body.as_ref(), None).await;
        assert_eq!(answer.status, expected, "{name}: {}", answer.body);
        assert_eq!(
            answer.headers["content-type"], "application/problem+json",
            "{name}"
        );
        assert_eq!(answer.body["status"], expected.as_u16(), "{name}");
        if let Some(field) = field {
            let fields: Vec<&str> = answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(fields.contains(&field), "{name}: {fields:?}");
        }
    }
    let anonymous = Api::anonymous(&service);
    assert_eq!(
        anonymous.get("/api/v1/events").await.status,
        StatusCode::UNAUTHORIZED
    );
    let speaker = Api::as_roles(&service, &["speaker"]);
    assert_eq!(
        speaker
            .post(
                &format!("/api/v1/events/{id}/slots/auto-assign"),
                &json!({})
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
