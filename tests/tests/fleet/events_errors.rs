//! Bad input to the events API: always a problem+json naming what is wrong, never a 500.

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

struct Fixture {
    service: TestService,
    organizer: Api,
    /// An event in planning.
    event: String,
    /// An id nothing has.
    missing: Uuid,
}

async fn fixture() -> Fixture {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(90, 100))
        .await
        .expect(StatusCode::CREATED);
    Fixture {
        event: event["id"].as_str().unwrap().to_owned(),
        missing: Uuid::now_v7(),
        service,
        organizer,
    }
}

#[tokio::test]
async fn a_capacity_that_is_no_number_is_refused_naming_capacity() {
    let f = fixture().await;
    let mut event = evening_event(91, 100);
    event["capacity"] = json!("lots");
    f.organizer
        .post("/api/v1/events", &event)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("capacity"));
}

#[tokio::test]
async fn an_unknown_event_type_is_refused_naming_event_type() {
    let f = fixture().await;
    let mut event = evening_event(92, 100);
    event["eventType"] = json!("brunch");
    f.organizer
        .post("/api/v1/events", &event)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("eventType"));
}

#[tokio::test]
async fn an_event_date_that_is_no_date_is_refused_naming_event_date() {
    let f = fixture().await;
    let mut event = evening_event(93, 100);
    event["eventDate"] = json!("next tuesday");
    f.organizer
        .post("/api/v1/events", &event)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("eventDate"));
}

#[tokio::test]
async fn an_unknown_session_field_is_refused_naming_it() {
    let f = fixture().await;
    let session = json!({"title": "T", "sessionType": "keynote", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:30:00Z", "speaker": "me"});
    f.organizer
        .post(&format!("/api/v1/events/{}/sessions", f.event), &session)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("speaker"));
}

#[tokio::test]
async fn an_unknown_session_type_is_refused_naming_session_type() {
    let f = fixture().await;
    let session = json!({"title": "T", "sessionType": "talk", "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:30:00Z"});
    f.organizer
        .post(&format!("/api/v1/events/{}/sessions", f.event), &session)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("sessionType"));
}

#[tokio::test]
async fn an_event_id_that_is_no_uuid_is_a_bad_request_naming_id() {
    let f = fixture().await;
    f.organizer
        .get("/api/v1/events/42")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, Some("id"));
}

#[tokio::test]
async fn an_unknown_event_is_not_found() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/events/{}", f.missing))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn an_unknown_session_is_not_found() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/sessions/{}", f.missing))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn an_unknown_status_filter_is_a_bad_request_naming_status() {
    let f = fixture().await;
    f.organizer
        .get("/api/v1/events?status=sleeping")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, Some("status"));
}

#[tokio::test]
async fn a_slot_count_out_of_range_is_refused_naming_slot_count() {
    let f = fixture().await;
    f.organizer
        .post(
            &format!("/api/v1/events/{}/slots/generate", f.event),
            &json!({"slotCount": 9}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("slotCount"));
}

#[tokio::test]
async fn assigning_to_an_unknown_slot_is_not_found() {
    let f = fixture().await;
    let path = format!("/api/v1/events/{}/slots/{}/assignment", f.event, f.missing);
    f.organizer
        .put(&path, &json!({"sessionId": f.missing}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn an_unknown_preference_level_is_unprocessable() {
    let f = fixture().await;
    let path = format!("/api/v1/events/{}/slot-preferences/{}", f.event, f.missing);
    let preferences = json!({"preferredTimeSlots": [{"startTime": "17:00:00", "endTime": "18:00:00", "preference": "love"}]});
    f.organizer
        .put(&path, &preferences)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, None);
}

#[tokio::test]
async fn a_status_change_without_if_match_is_refused_as_precondition_required() {
    let f = fixture().await;
    f.organizer
        .post(
            &format!("/api/v1/events/{}/status", f.event),
            &json!({"status": "topic_defined"}),
        )
        .await
        .expect_problem(StatusCode::PRECONDITION_REQUIRED, None);
}

#[tokio::test]
async fn the_agenda_of_an_event_in_planning_is_not_found() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/events/{}/agenda/ical", f.event))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn anonymous_readers_see_no_event_in_planning() {
    let f = fixture().await;
    let anonymous = Api::anonymous(&f.service);
    let listed = anonymous.get("/api/v1/events").await.expect(StatusCode::OK);
    assert_eq!(
        listed["items"],
        serde_json::json!([]),
        "the fixture's event is in planning"
    );
    anonymous
        .get(&format!("/api/v1/events/{}", f.event))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    Api::at(&f.service.base_url, Some("not-a-token".into()))
        .get("/api/v1/events")
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn a_speaker_may_not_auto_assign_slots() {
    let f = fixture().await;
    Api::as_roles(&f.service, &["speaker"])
        .post(
            &format!("/api/v1/events/{}/slots/auto-assign", f.event),
            &json!({}),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
}
