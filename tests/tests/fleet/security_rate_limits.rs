//! Budgets per token and per anonymous client address: a caller over budget gets a 429
//! problem with `Retry-After`, and nobody else is slowed down by it.

use fleet_tests::api::Api;
use fleet_tests::services::token_for;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;

async fn service() -> TestService {
    let db = TestDb::create().await;
    TestService::companies_with(
        &db,
        &[
            ("RATE_LIMIT_PER_MINUTE", "5"),
            ("RATE_LIMIT_ANONYMOUS_PER_MINUTE", "3"),
        ],
    )
    .await
}

async fn anonymous_from(service: &TestService, address: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(service.url("/api/v1/companies"))
        .header("x-forwarded-for", format!("203.0.113.66, {address}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_anonymous_client_over_its_budget_is_told_when_to_come_back() {
    let service = service().await;
    for _ in 0..3 {
        let answer = anonymous_from(&service, "198.51.100.1").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let over = anonymous_from(&service, "198.51.100.1").await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.headers()["content-type"], "application/problem+json");
    let wait: u64 = over.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let other_client = anonymous_from(&service, "198.51.100.2").await;
    assert_eq!(
        other_client.status(),
        StatusCode::UNAUTHORIZED,
        "another address is not slowed down"
    );
}

#[tokio::test]
async fn made_up_tokens_buy_no_budget_of_their_own() {
    let service = service().await;
    let mut answers = Vec::new();
    for n in 0..4 {
        let answer = reqwest::Client::new()
            .get(service.url("/api/v1/companies"))
            .header("x-forwarded-for", "198.51.100.7")
            .bearer_auth(format!("made.up.token-{n}"))
            .send()
            .await
            .unwrap();
        answers.push(answer.status());
    }
    assert_eq!(
        answers,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ],
        "each made-up token is spent from the address's anonymous budget"
    );
}

#[tokio::test]
async fn a_token_over_its_budget_is_refused_and_others_are_not() {
    let service = service().await;
    let busy = Api::at(&service.base_url, Some(token_for("busy", &["organizer"])));
    for _ in 0..5 {
        busy.get("/api/v1/companies").await.expect(StatusCode::OK);
    }
    let refused = busy
        .get("/api/v1/companies")
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS, None);
    assert_eq!(refused["instance"], "/api/v1/companies");
    let calm = Api::at(&service.base_url, Some(token_for("calm", &["organizer"])));
    calm.get("/api/v1/companies").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn health_and_metrics_are_never_limited() {
    let service = service().await;
    for _ in 0..10 {
        let live = reqwest::get(service.url("/health/live")).await.unwrap();
        assert_eq!(live.status(), StatusCode::OK);
    }
}
