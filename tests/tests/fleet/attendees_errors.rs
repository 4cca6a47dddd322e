//! Bad input to the attendees API: always a problem+json naming what is wrong, never a 500.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn bad_requests_to_attendees_get_problems_naming_the_field() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    // Not minted recently, so no service waits for it to arrive.
    let missing = uuid::Uuid::new_v4();
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
            "malformed json",
            Method::POST,
            "/api/v1/attendees".into(),
            Some(Value::String("{".into())),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            "missing consent",
            Method::POST,
            "/api/v1/attendees".into(),
            Some(json!({"email": "a@b.ch", "firstName": "A", "lastName": "B"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("gdprConsent"),
        ),
        (
            "wrong type",
            Method::POST,
            "/api/v1/attendees".into(),
            Some(
                json!({"email": 42, "firstName": "A", "lastName": "B", "gdprConsent": {"given": false}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("email"),
        ),
        (
            "unknown company",
            Method::POST,
            "/api/v1/attendees".into(),
            Some(
                json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": missing, "gdprConsent": {"given": false}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("companyId"),
        ),
        (
            "bad attendee id",
            Method::GET,
            "/api/v1/attendees/me".into(),
            None,
            StatusCode::BAD_REQUEST,
            Some("id"),
        ),
        (
            "unknown attendee",
            Method::GET,
            format!("/api/v1/attendees/{missing}"),
            None,
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "registration for nobody",
            Method::POST,
            "/api/v1/registrations".into(),
            Some(json!({"eventId": missing, "attendeeId": missing})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("attendeeId"),
        ),
        (
            "organizer without attendee",
            Method::POST,
            "/api/v1/registrations".into(),
            Some(json!({"eventId": missing})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("attendeeId"),
        ),
        (
            "bad status filter",
            Method::GET,
            "/api/v1/registrations?status=maybe".into(),
            None,
            StatusCode::BAD_REQUEST,
            Some("status"),
        ),
        (
            "unknown registration",
            Method::POST,
            format!("/api/v1/registrations/{missing}/cancel"),
            Some(json!({})),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "empty source",
            Method::POST,
            "/api/v1/newsletter/subscriptions".into(),
            Some(json!({"attendeeId": missing, "source": " "})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("source"),
        ),
        (
            "unknown engagement type",
            Method::POST,
            format!("/api/v1/attendees/{missing}/engagements"),
            Some(json!({"contentType": "session", "contentId": missing, "engagementType": "like"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("engagementType"),
        ),
    ];
    for (name, method, path, body, expected, field) in cases {
        let answer = match &body {
            Some(Value::String(raw)) => {
                let response = service
                    .client
                    .request(method, service.url(&path))
                    .bearer_auth(organizer.token.as_ref().unwrap())
                    .header("content-type", "application/json")
                    .body(raw.clone())
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let headers = response.headers().clone();
                fleet_tests::api::Answer {
                    status,
                    headers,
                    body: response.json().await.unwrap(),
                }
            }
            _ => organizer.call(method, &path, body.as_ref(), None).await,
        };
        assert_eq!(answer.status, expected, "{name}: {}", answer.body);
        assert_eq!(
            answer.headers["content-type"], "application/problem+json",
            "{name}"
        );
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
    assert_eq!(
        Api::anonymous(&service)
            .get("/api/v1/registrations")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        Api::as_roles(&service, &["speaker"])
            .get("/api/v1/registrations")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
