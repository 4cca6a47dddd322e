//! Bad input to the speakers API: always a problem+json naming what is wrong, never a 500.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn bad_requests_to_speakers_get_problems_naming_the_field() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::speakers_beside(&db, &events).await;
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
            "unknown company",
            Method::POST,
            "/api/v1/speakers".into(),
            Some(
                json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": missing}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("companyId"),
        ),
        (
            "bad email",
            Method::POST,
            "/api/v1/speakers".into(),
            Some(json!({"email": "nope", "firstName": "A", "lastName": "B", "companyId": missing})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("email"),
        ),
        (
            "bad availability",
            Method::POST,
            "/api/v1/speakers".into(),
            Some(
                json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": missing, "availability": "invited"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("availability"),
        ),
        (
            "bad language",
            Method::POST,
            "/api/v1/speakers".into(),
            Some(
                json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": missing, "communicationPreferences": {"language": "fr", "emailNotifications": true}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("communicationPreferences.language"),
        ),
        (
            "unknown speaker",
            Method::GET,
            format!("/api/v1/speakers/{missing}"),
            None,
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "bad speaker id",
            Method::GET,
            "/api/v1/speakers/xyz".into(),
            None,
            StatusCode::BAD_REQUEST,
            Some("id"),
        ),
        (
            "invite unknown speaker",
            Method::POST,
            "/api/v1/invitations".into(),
            Some(json!({"speakerId": missing, "sessionId": missing, "role": "primary_speaker"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("speakerId"),
        ),
        (
            "bad role",
            Method::POST,
            "/api/v1/invitations".into(),
            Some(json!({"speakerId": missing, "sessionId": missing, "role": "keynoter"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("role"),
        ),
        (
            "garbage link",
            Method::GET,
            format!("/api/v1/invitations/{missing}?token=garbage"),
            None,
            StatusCode::UNAUTHORIZED,
            None,
        ),
        (
            "link without token",
            Method::GET,
            format!("/api/v1/invitations/{missing}"),
            None,
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            "unknown assignment",
            Method::POST,
            format!("/api/v1/session-speakers/{missing}/workflow"),
            Some(json!({"workflowState": "ready"})),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "me as organizer",
            Method::GET,
            "/api/v1/speakers/me".into(),
            None,
            StatusCode::FORBIDDEN,
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
            .get("/api/v1/speakers")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        Api::as_roles(&service, &["attendee"])
            .get("/api/v1/speakers")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
