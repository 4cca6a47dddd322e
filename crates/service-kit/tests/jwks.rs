//! RS256 tokens verified against a JWKS document served over HTTP, as production does with
//! its OIDC provider. The key pair in `fixtures/` exists only for this test.

use axum::routing::get;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use service_kit::auth::{AuthConfig, Authenticator, Claims};
use service_kit::credentials::TokenRules;
use service_kit::{ProblemKind, Role};

const PRIVATE_KEY: &[u8] = include_bytes!("fixtures/jwks-test-key.pem");
const JWKS: &str = include_str!("fixtures/jwks-test.json");

async fn serve_jwks() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/jwks.json",
        get(|| async { ([("content-type", "application/json")], JWKS) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/jwks.json")
}

fn claims() -> Claims {
    Claims {
        sub: "oidc-user".into(),
        roles: vec!["organizer".into()],
        speaker_id: None,
        company_id: None,
        attendee_id: None,
        email: None,
        exp: chrono::Utc::now().timestamp() + 600,
        nbf: None,
        iss: Some("https://id.batbern.test".into()),
        aud: Some("batbern-api".into()),
    }
}

fn rs256(kid: &str, claims: &Claims) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(PRIVATE_KEY).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn rs256_tokens_are_verified_with_the_published_keys() {
    let url = serve_jwks().await;
    let auth = Authenticator::new(
        &AuthConfig::Jwks { url },
        TokenRules {
            issuer: "https://id.batbern.test".into(),
            audience: "batbern-api".into(),
            max_lifetime: std::time::Duration::from_secs(3600),
        },
    );

    let actor = auth
        .authenticate(&rs256("test-key-1", &claims()))
        .await
        .unwrap();

    assert_eq!(actor.subject, "oidc-user");
    assert_eq!(actor.roles, vec![Role::Organizer]);
}

#[tokio::test]
async fn unknown_keys_wrong_audience_and_shared_secrets_are_refused() {
    let url = serve_jwks().await;
    let auth = Authenticator::new(
        &AuthConfig::Jwks { url },
        TokenRules {
            issuer: "https://id.batbern.test".into(),
            audience: "batbern-api".into(),
            max_lifetime: std::time::Duration::from_secs(3600),
        },
    );
    let unauthenticated = |result: Result<_, service_kit::ApiError>| {
        result.unwrap_err().kind == ProblemKind::Unauthenticated
    };

    assert!(unauthenticated(
        auth.authenticate(&rs256("rotated-away", &claims())).await
    ));
    let other_audience = Claims {
        aud: Some("someone-else".into()),
        ..claims()
    };
    assert!(unauthenticated(
        auth.authenticate(&rs256("test-key-1", &other_audience))
            .await
    ));
    let hs256 = service_kit::auth::mint_hs256("a-shared-secret-of-length", &claims());
    assert!(unauthenticated(auth.authenticate(&hs256).await));
}
