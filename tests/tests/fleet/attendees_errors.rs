//! Bad input to the attendees API: always a problem+json naming what is wrong, never a 500.

use fleet_tests::api::{Answer, Api};
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

struct Fixture {
    service: TestService,
    _events: TestService,
    organizer: Api,
    /// An id nothing has.
    missing: Uuid,
}

async fn fixture() -> Fixture {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    Fixture {
        organizer: Api::as_roles(&service, &["organizer"]),
        // Not minted recently, so no service waits for it to arrive.
        missing: Uuid::new_v4(),
        service,
        _events: events,
    }
}

impl Fixture {
    /// POSTs `body` as it is, declared as JSON, as the organizer.
    async fn post_raw(&self, path: &str, body: &str) -> Answer {
        let response = self
            .service
            .client
            .post(self.service.url(path))
            .bearer_auth(self.organizer.token.as_ref().unwrap())
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let f = fixture().await;
    f.post_raw("/api/v1/attendees", "{")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, None);
}

#[tokio::test]
async fn an_attendee_without_gdpr_consent_is_refused_naming_gdpr_consent() {
    let f = fixture().await;
    f.organizer
        .post(
            "/api/v1/attendees",
            &json!({"email": "a@b.ch", "firstName": "A", "lastName": "B"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("gdprConsent"));
}

#[tokio::test]
async fn an_email_that_is_no_string_is_refused_naming_email() {
    let f = fixture().await;
    let attendee =
        json!({"email": 42, "firstName": "A", "lastName": "B", "gdprConsent": {"given": false}});
    f.organizer
        .post("/api/v1/attendees", &attendee)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("email"));
}

#[tokio::test]
async fn an_attendee_of_an_unknown_company_is_refused_naming_company_id() {
    let f = fixture().await;
    let attendee = json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": f.missing, "gdprConsent": {"given": false}});
    f.organizer
        .post("/api/v1/attendees", &attendee)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("companyId"));
}

#[tokio::test]
async fn an_attendee_id_that_is_no_uuid_is_a_bad_request_naming_id() {
    let f = fixture().await;
    f.organizer
        .get("/api/v1/attendees/me")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, Some("id"));
}

#[tokio::test]
async fn an_unknown_attendee_is_not_found() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/attendees/{}", f.missing))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn registering_an_unknown_attendee_is_refused_naming_attendee_id() {
    let f = fixture().await;
    f.organizer
        .post(
            "/api/v1/registrations",
            &json!({"eventId": f.missing, "attendeeId": f.missing}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("attendeeId"));
}

#[tokio::test]
async fn an_organizer_registering_nobody_is_refused_naming_attendee_id() {
    let f = fixture().await;
    f.organizer
        .post("/api/v1/registrations", &json!({"eventId": f.missing}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("attendeeId"));
}

#[tokio::test]
async fn an_unknown_status_filter_is_a_bad_request_naming_status() {
    let f = fixture().await;
    f.organizer
        .get("/api/v1/registrations?status=maybe")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, Some("status"));
}

#[tokio::test]
async fn cancelling_an_unknown_registration_is_not_found() {
    let f = fixture().await;
    f.organizer
        .post(
            &format!("/api/v1/registrations/{}/cancel", f.missing),
            &json!({}),
        )
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn a_blank_newsletter_source_is_refused_naming_source() {
    let f = fixture().await;
    f.organizer
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"attendeeId": f.missing, "source": " "}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("source"));
}

#[tokio::test]
async fn an_unknown_engagement_type_is_refused_naming_engagement_type() {
    let f = fixture().await;
    let engagement =
        json!({"contentType": "session", "contentId": f.missing, "engagementType": "like"});
    f.organizer
        .post(
            &format!("/api/v1/attendees/{}/engagements", f.missing),
            &engagement,
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("engagementType"));
}

#[tokio::test]
async fn listing_registrations_anonymously_is_unauthorized() {
    let f = fixture().await;
    Api::anonymous(&f.service)
        .get("/api/v1/registrations")
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn a_speaker_may_not_list_registrations() {
    let f = fixture().await;
    Api::as_roles(&f.service, &["speaker"])
        .get("/api/v1/registrations")
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
}
