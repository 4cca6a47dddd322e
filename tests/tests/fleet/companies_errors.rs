//! Bad input, bad tokens and unknown paths: always the right status and a problem+json body
//! naming the field at fault, never a 500.

use fleet_tests::api::Answer;
use fleet_tests::{token, TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const COMPANIES: &str = "/api/v1/companies";

struct Fixture {
    service: TestService,
}

async fn fixture() -> Fixture {
    let db = TestDb::create().await;
    Fixture {
        service: TestService::companies(&db).await,
    }
}

/// A request sent byte for byte.
struct Raw {
    method: Method,
    path: String,
    token: Option<String>,
    content_type: Option<&'static str>,
    if_match: Option<&'static str>,
    body: String,
}

/// `GET path` as an organizer, declared as JSON, without a body.
fn get(path: &str) -> Raw {
    Raw {
        method: Method::GET,
        path: path.to_owned(),
        token: Some(token(&["organizer"], None)),
        content_type: Some("application/json"),
        if_match: None,
        body: String::new(),
    }
}

/// `POST /api/v1/companies` with `body` as an organizer, declared as JSON.
fn post(body: &str) -> Raw {
    Raw {
        method: Method::POST,
        body: body.to_owned(),
        ..get(COMPANIES)
    }
}

impl Fixture {
    /// Sends `raw` and asserts a problem with `status` naming `field`, with its `instance`,
    /// `title`, `type` and `detail`, and that no company was stored.
    async fn refuses(&self, raw: Raw, status: StatusCode, field: Option<&str>) {
        let mut request = self
            .service
            .client
            .request(raw.method, self.service.url(&raw.path));
        if let Some(token) = &raw.token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = raw.content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(tag) = raw.if_match {
            request = request.header("if-match", tag);
        }
        if !raw.body.is_empty() {
            request = request.body(raw.body);
        }
        let response = request.send().await.unwrap();
        let (status_line, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let problem = Answer {
            status: status_line,
            headers,
            body,
        }
        .expect_problem(status, field);
        assert_eq!(
            problem["instance"],
            raw.path.split('?').next().unwrap(),
            "{problem}"
        );
        assert!(
            problem["title"].is_string()
                && problem["type"].is_string()
                && problem["detail"].is_string(),
            "{problem}"
        );
        let listed: Value = self
            .service
            .client
            .get(self.service.url("/api/v1/companies?includeArchived=true"))
            .bearer_auth(token(&["organizer"], None))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["items"], json!([]), "no bad request stored anything");
    }
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let f = fixture().await;
    f.refuses(post(r#"{"name": "Acme","#), StatusCode::BAD_REQUEST, None)
        .await;
}

#[tokio::test]
async fn an_employee_count_that_is_no_number_is_refused_naming_employee_count() {
    let f = fixture().await;
    f.refuses(
        post(r#"{"name": "Acme", "industry": "x", "employeeCount": "many"}"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("employeeCount"),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_field_is_refused_naming_it() {
    let f = fixture().await;
    f.refuses(
        post(r#"{"name": "Acme", "industry": "x", "colour": "red"}"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("colour"),
    )
    .await;
}

#[tokio::test]
async fn a_missing_industry_is_refused_naming_industry() {
    let f = fixture().await;
    f.refuses(
        post(r#"{"name": "Acme"}"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("industry"),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_nested_field_is_refused_naming_its_path() {
    let f = fixture().await;
    f.refuses(
        post(
            r#"{"name": "Acme", "industry": "x", "headquarters": {"city": "Bern", "country": "CH", "planet": "Earth"}}"#,
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("headquarters.planet"),
    )
    .await;
}

#[tokio::test]
async fn a_blank_name_and_a_bad_website_are_refused_naming_name() {
    let f = fixture().await;
    f.refuses(
        post(r#"{"name": " ", "industry": "x", "website": "acme"}"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("name"),
    )
    .await;
}

#[tokio::test]
async fn a_negative_employee_count_is_refused_naming_employee_count() {
    let f = fixture().await;
    f.refuses(
        post(r#"{"name": "A", "industry": "x", "employeeCount": -1}"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("employeeCount"),
    )
    .await;
}

#[tokio::test]
async fn an_array_body_is_unprocessable() {
    let f = fixture().await;
    f.refuses(post("[]"), StatusCode::UNPROCESSABLE_ENTITY, None)
        .await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_too_large() {
    let f = fixture().await;
    let huge = format!(
        r#"{{"name": "Big", "industry": "x", "description": "{}"}}"#,
        "x".repeat(70_000)
    );
    f.refuses(post(&huge), StatusCode::PAYLOAD_TOO_LARGE, None)
        .await;
}

#[tokio::test]
async fn a_company_id_that_is_no_uuid_is_a_bad_request_naming_id() {
    let f = fixture().await;
    f.refuses(
        get("/api/v1/companies/not-a-uuid"),
        StatusCode::BAD_REQUEST,
        Some("id"),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_company_is_not_found() {
    let f = fixture().await;
    let path = format!("/api/v1/companies/{}", uuid::Uuid::now_v7());
    f.refuses(get(&path), StatusCode::NOT_FOUND, None).await;
}

#[tokio::test]
async fn a_limit_over_the_maximum_is_a_bad_request_naming_limit() {
    let f = fixture().await;
    f.refuses(
        get("/api/v1/companies?limit=1000"),
        StatusCode::BAD_REQUEST,
        Some("limit"),
    )
    .await;
}

#[tokio::test]
async fn a_partner_filter_that_is_no_boolean_is_a_bad_request_naming_is_partner() {
    let f = fixture().await;
    f.refuses(
        get("/api/v1/companies?isPartner=maybe"),
        StatusCode::BAD_REQUEST,
        Some("isPartner"),
    )
    .await;
}

#[tokio::test]
async fn a_garbled_cursor_is_a_bad_request_naming_cursor() {
    let f = fixture().await;
    f.refuses(
        get("/api/v1/companies?cursor=xyz"),
        StatusCode::BAD_REQUEST,
        Some("cursor"),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_path_is_not_found() {
    let f = fixture().await;
    f.refuses(get("/api/v1/companies/x/y/z"), StatusCode::NOT_FOUND, None)
        .await;
}

#[tokio::test]
async fn deleting_the_collection_is_not_allowed() {
    let f = fixture().await;
    let delete = Raw {
        method: Method::DELETE,
        ..get(COMPANIES)
    };
    f.refuses(delete, StatusCode::METHOD_NOT_ALLOWED, None)
        .await;
}

#[tokio::test]
async fn an_if_match_that_is_no_etag_is_a_bad_request_naming_if_match() {
    let f = fixture().await;
    let patch = Raw {
        method: Method::PATCH,
        if_match: Some("yesterday"),
        body: "{}".into(),
        ..get(&format!("/api/v1/companies/{}", uuid::Uuid::now_v7()))
    };
    f.refuses(patch, StatusCode::BAD_REQUEST, Some("If-Match"))
        .await;
}

#[tokio::test]
async fn a_body_declared_as_text_is_an_unsupported_media_type() {
    let f = fixture().await;
    let text = Raw {
        content_type: Some("text/plain"),
        ..post(r#"{"name": "A", "industry": "x"}"#)
    };
    f.refuses(text, StatusCode::UNSUPPORTED_MEDIA_TYPE, None)
        .await;
}

#[tokio::test]
async fn a_body_without_content_type_is_an_unsupported_media_type() {
    let f = fixture().await;
    let undeclared = Raw {
        content_type: None,
        ..post(r#"{"name": "A", "industry": "x"}"#)
    };
    f.refuses(undeclared, StatusCode::UNSUPPORTED_MEDIA_TYPE, None)
        .await;
}

#[tokio::test]
async fn a_request_without_token_is_unauthorized() {
    let f = fixture().await;
    let anonymous = Raw {
        token: None,
        ..get(COMPANIES)
    };
    f.refuses(anonymous, StatusCode::UNAUTHORIZED, None).await;
}

#[tokio::test]
async fn a_token_with_a_forged_signature_is_unauthorized() {
    let f = fixture().await;
    let valid = token(&["organizer"], None);
    let (head, _) = valid.rsplit_once('.').unwrap();
    let forged = Raw {
        token: Some(format!("{head}.c2lnbmF0dXJl")),
        ..get(COMPANIES)
    };
    f.refuses(forged, StatusCode::UNAUTHORIZED, None).await;
}

#[tokio::test]
async fn a_token_that_is_no_jwt_is_unauthorized() {
    let f = fixture().await;
    let garbage = Raw {
        token: Some("not.a.jwt".into()),
        ..get(COMPANIES)
    };
    f.refuses(garbage, StatusCode::UNAUTHORIZED, None).await;
}

#[tokio::test]
async fn a_speaker_may_not_create_a_company() {
    let f = fixture().await;
    let speaker = Raw {
        token: Some(token(&["speaker"], None)),
        ..post(r#"{"name": "A", "industry": "x"}"#)
    };
    f.refuses(speaker, StatusCode::FORBIDDEN, None).await;
}
