//! Bad input to the speakers API: always a problem+json naming what is wrong, never a 500.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
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
    let service = TestService::speakers_beside(&db, &events).await;
    Fixture {
        organizer: Api::as_roles(&service, &["organizer"]),
        // Not minted recently, so no service waits for it to arrive.
        missing: Uuid::new_v4(),
        service,
        _events: events,
    }
}

#[tokio::test]
async fn a_speaker_of_an_unknown_company_is_refused_naming_company_id() {
    let f = fixture().await;
    let speaker =
        json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": f.missing});
    f.organizer
        .post("/api/v1/speakers", &speaker)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("companyId"));
}

#[tokio::test]
async fn a_malformed_email_is_refused_naming_email() {
    let f = fixture().await;
    let speaker =
        json!({"email": "nope", "firstName": "A", "lastName": "B", "companyId": f.missing});
    f.organizer
        .post("/api/v1/speakers", &speaker)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("email"));
}

#[tokio::test]
async fn an_unknown_availability_is_refused_naming_availability() {
    let f = fixture().await;
    let speaker = json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": f.missing, "availability": "invited"});
    f.organizer
        .post("/api/v1/speakers", &speaker)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("availability"));
}

#[tokio::test]
async fn an_unsupported_language_is_refused_naming_it() {
    let f = fixture().await;
    let speaker = json!({"email": "a@b.ch", "firstName": "A", "lastName": "B", "companyId": f.missing, "communicationPreferences": {"language": "fr", "emailNotifications": true}});
    f.organizer
        .post("/api/v1/speakers", &speaker)
        .await
        .expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("communicationPreferences.language"),
        );
}

#[tokio::test]
async fn an_unknown_speaker_is_not_found() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/speakers/{}", f.missing))
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn a_speaker_id_that_is_no_uuid_is_a_bad_request_naming_id() {
    let f = fixture().await;
    f.organizer
        .get("/api/v1/speakers/xyz")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, Some("id"));
}

#[tokio::test]
async fn inviting_an_unknown_speaker_is_refused_naming_speaker_id() {
    let f = fixture().await;
    let invitation =
        json!({"speakerId": f.missing, "sessionId": f.missing, "role": "primary_speaker"});
    f.organizer
        .post("/api/v1/invitations", &invitation)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("speakerId"));
}

#[tokio::test]
async fn an_unknown_invitation_role_is_refused_naming_role() {
    let f = fixture().await;
    let invitation = json!({"speakerId": f.missing, "sessionId": f.missing, "role": "keynoter"});
    f.organizer
        .post("/api/v1/invitations", &invitation)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("role"));
}

#[tokio::test]
async fn an_invitation_link_with_a_garbage_token_is_unauthorized() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/invitations/{}?token=garbage", f.missing))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn an_invitation_link_without_token_is_a_bad_request() {
    let f = fixture().await;
    f.organizer
        .get(&format!("/api/v1/invitations/{}", f.missing))
        .await
        .expect_problem(StatusCode::BAD_REQUEST, None);
}

#[tokio::test]
async fn moving_an_unknown_assignment_is_not_found() {
    let f = fixture().await;
    f.organizer
        .post(
            &format!("/api/v1/session-speakers/{}/workflow", f.missing),
            &json!({"workflowState": "ready"}),
        )
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn an_organizer_has_no_own_speaker_profile() {
    let f = fixture().await;
    f.organizer
        .get("/api/v1/speakers/me")
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
}

#[tokio::test]
async fn listing_speakers_anonymously_is_unauthorized() {
    let f = fixture().await;
    Api::anonymous(&f.service)
        .get("/api/v1/speakers")
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn an_attendee_may_not_list_speakers() {
    let f = fixture().await;
    Api::as_roles(&f.service, &["attendee"])
        .get("/api/v1/speakers")
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
}
