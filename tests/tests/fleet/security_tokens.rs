//! Tokens are checked fully: signature, issuer, audience, lifetime, `nbf` and size; a
//! refusal is a 401 whose detail is a stable human sentence, never the parser's words.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fleet_tests::api::Api;
use fleet_tests::services::TEST_SECRET;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;
use service_kit::auth::{mint_hs256, Claims};
use service_kit::credentials::{DEV_JWT_AUDIENCE, DEV_JWT_ISSUER};

fn organizer() -> Claims {
    Claims {
        sub: "organizer-1".into(),
        roles: vec!["organizer".into()],
        speaker_id: None,
        company_id: None,
        attendee_id: None,
        email: None,
        exp: chrono::Utc::now().timestamp() + 600,
        nbf: None,
        iss: Some(DEV_JWT_ISSUER.into()),
        aud: Some(DEV_JWT_AUDIENCE.into()),
    }
}

/// Creates a company with `token`; answers the problem's detail after asserting a 401.
async fn refused(token: String) -> String {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let body = json!({"name": "Acme", "industry": "IT"});
    let answer = Api::at(&service.base_url, Some(token))
        .post("/api/v1/companies", &body)
        .await;
    let problem = answer.expect_problem(StatusCode::UNAUTHORIZED, None);
    problem["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_token_of_the_platform_is_accepted() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let body = json!({"name": "Acme", "industry": "IT"});
    Api::at(
        &service.base_url,
        Some(mint_hs256(TEST_SECRET, &organizer())),
    )
    .post("/api/v1/companies", &body)
    .await
    .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let claims = Claims {
        iss: Some("evil".into()),
        ..organizer()
    };
    let detail = refused(mint_hs256(TEST_SECRET, &claims)).await;
    assert_eq!(
        detail,
        "The bearer token was issued by an issuer this platform does not trust"
    );
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let claims = Claims {
        aud: Some("other-app".into()),
        ..organizer()
    };
    let detail = refused(mint_hs256(TEST_SECRET, &claims)).await;
    assert_eq!(detail, "The bearer token is meant for another audience");
}

#[tokio::test]
async fn a_token_without_issuer_or_audience_is_refused() {
    let claims = Claims {
        iss: None,
        aud: None,
        ..organizer()
    };
    let detail = refused(mint_hs256(TEST_SECRET, &claims)).await;
    assert!(
        detail.starts_with("The bearer token lacks the claim"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_token_not_valid_yet_is_refused() {
    let claims = Claims {
        nbf: Some(chrono::Utc::now().timestamp() + 3600),
        ..organizer()
    };
    let detail = refused(mint_hs256(TEST_SECRET, &claims)).await;
    assert_eq!(detail, "The bearer token is not valid yet (nbf)");
}

#[tokio::test]
async fn a_token_living_for_ages_is_refused() {
    let claims = Claims {
        email: None,
        exp: 1 << 62,
        ..organizer()
    };
    let detail = refused(mint_hs256(TEST_SECRET, &claims)).await;
    assert_eq!(
        detail,
        "The bearer token is valid for longer than the 24 hours a token may live"
    );
}

#[tokio::test]
async fn an_oversized_token_is_refused_before_it_is_read() {
    let mut claims = organizer();
    claims.roles = vec!["organizer".repeat(12_000)];
    let detail = refused(mint_hs256(TEST_SECRET, &claims)).await;
    assert_eq!(detail, "The bearer token is longer than 4096 bytes");
}

#[tokio::test]
async fn an_unsigned_token_gets_a_human_answer_not_the_parsers() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&organizer()).unwrap());
    let detail = refused(format!("{header}.{body}.")).await;
    assert_eq!(detail, "The bearer token is malformed");
}

#[tokio::test]
async fn a_token_without_subject_gets_a_human_answer_not_the_parsers() {
    let mut claims = serde_json::to_value(organizer()).unwrap();
    claims.as_object_mut().unwrap().remove("sub");
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();
    let detail = refused(token).await;
    assert_eq!(detail, "The bearer token lacks the claim sub");
}

#[tokio::test]
async fn a_token_without_a_role_is_forbidden_before_its_body_is_judged() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let claims = Claims {
        roles: vec![],
        ..organizer()
    };
    Api::at(&service.base_url, Some(mint_hs256(TEST_SECRET, &claims)))
        .post("/api/v1/companies", &json!({"name": ""}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);
}
