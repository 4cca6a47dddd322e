//! Bad input, bad tokens and unknown paths: always the right status and a problem+json body
//! naming the field at fault, never a 500.

use fleet_tests::{token, TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    token: Option<String>,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    expect: StatusCode,
    field: Option<&'static str>,
}

fn case(
    name: &'static str,
    method: Method,
    path: &str,
    body: &str,
    expect: StatusCode,
    field: Option<&'static str>,
) -> Case {
    Case {
        name,
        method,
        path: path.to_owned(),
        token: Some(token(&["organizer"], None)),
        content_type: Some("application/json"),
        body: Some(body.as_bytes().to_vec()),
        expect,
        field,
    }
}

#[tokio::test]
async fn every_bad_request_gets_a_problem_naming_what_is_wrong() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let companies = "/api/v1/companies";
    let forged = {
        let valid = token(&["organizer"], None);
        let (head, _) = valid.rsplit_once('.').unwrap();
        format!("{head}.c2lnbmF0dXJl")
    };
    let huge = format!(
        r#"{{"name": "Big", "industry": "x", "description": "{}"}}"#,
        "x".repeat(70_000)
    );
    let cases = vec![
        case(
            "malformed json",
            Method::POST,
            companies,
            r#"{"name": "Acme","#,
            StatusCode::BAD_REQUEST,
            None,
        ),
        case(
            "wrong type",
            Method::POST,
            companies,
            r#"{"name": "Acme", "industry": "x", "employeeCount": "many"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("employeeCount"),
        ),
        case(
            "unknown field",
            Method::POST,
            companies,
            r#"{"name": "Acme", "industry": "x", "colour": "red"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("colour"),
        ),
        case(
            "missing field",
            Method::POST,
            companies,
            r#"{"name": "Acme"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("industry"),
        ),
        case(
            "nested unknown field",
            Method::POST,
            companies,
            r#"{"name": "Acme", "industry": "x", "headquarters": {"city": "Bern", "country": "CH", "planet": "Earth"}}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("headquarters.planet"),
        ),
        case(
            "invalid values",
            Method::POST,
            companies,
            r#"{"name": " ", "industry": "x", "website": "acme"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        case(
            "negative count",
            Method::POST,
            companies,
            r#"{"name": "A", "industry": "x", "employeeCount": -1}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("employeeCount"),
        ),
        case(
            "array body",
            Method::POST,
            companies,
            "[]",
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        case(
            "huge body",
            Method::POST,
            companies,
            &huge,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        ),
        case(
            "bad uuid",
            Method::GET,
            "/api/v1/companies/not-a-uuid",
            "",
            StatusCode::BAD_REQUEST,
            Some("id"),
        ),
        case(
            "unknown company",
            Method::GET,
            &format!("/api/v1/companies/{}", uuid::Uuid::now_v7()),
            "",
            StatusCode::NOT_FOUND,
            None,
        ),
        case(
            "bad limit",
            Method::GET,
            "/api/v1/companies?limit=1000",
            "",
            StatusCode::BAD_REQUEST,
            Some("limit"),
        ),
        case(
            "bad boolean",
            Method::GET,
            "/api/v1/companies?isPartner=maybe",
            "",
            StatusCode::BAD_REQUEST,
            Some("isPartner"),
        ),
        case(
            "bad cursor",
            Method::GET,
            "/api/v1/companies?cursor=xyz",
            "",
            StatusCode::BAD_REQUEST,
            Some("cursor"),
        ),
        case(
            "unknown path",
            Method::GET,
            "/api/v1/companies/x/y/z",
            "",
            StatusCode::NOT_FOUND,
            None,
        ),
        case(
            "wrong method",
            Method::DELETE,
            companies,
            "",
            StatusCode::METHOD_NOT_ALLOWED,
            None,
        ),
        case(
            "bad if-match",
            Method::PATCH,
            &format!("/api/v1/companies/{}", uuid::Uuid::now_v7()),
            "{}",
            StatusCode::BAD_REQUEST,
            Some("If-Match"),
        ),
        Case {
            content_type: Some("text/plain"),
            ..case(
                "wrong content type",
                Method::POST,
                companies,
                r#"{"name": "A", "industry": "x"}"#,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
            )
        },
        Case {
            content_type: None,
            ..case(
                "no content type",
                Method::POST,
                companies,
                r#"{"name": "A", "industry": "x"}"#,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
            )
        },
        Case {
            token: None,
            ..case(
                "no token",
                Method::GET,
                companies,
                "",
                StatusCode::UNAUTHORIZED,
                None,
            )
        },
        Case {
            token: Some(forged),
            ..case(
                "forged token",
                Method::GET,
                companies,
                "",
                StatusCode::UNAUTHORIZED,
                None,
            )
        },
        Case {
            token: Some("not.a.jwt".into()),
            ..case(
                "garbage token",
                Method::GET,
                companies,
                "",
                StatusCode::UNAUTHORIZED,
                None,
            )
        },
        Case {
            token: Some(token(&["speaker"], None)),
            ..case(
                "wrong role",
                Method::POST,
                companies,
                r#"{"name": "A", "industry": "x"}"#,
                StatusCode::FORBIDDEN,
                None,
            )
        },
    ];

    for case in cases {
        let mut request = service
            .client
            .request(case.method.clone(), service.url(&case.path));
        if let Some(token) = &case.token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        if case.method == Method::PATCH {
            request = request.header("if-match", "yesterday");
        }
        if let Some(body) = case.body.clone().filter(|b| !b.is_empty()) {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), case.expect, "{}", case.name);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{}",
            case.name
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], case.expect.as_u16(), "{}", case.name);
        assert_eq!(
            problem["instance"],
            case.path.split('?').next().unwrap(),
            "{}",
            case.name
        );
        assert!(
            problem["title"].is_string()
                && problem["type"].is_string()
                && problem["detail"].is_string(),
            "{}",
            case.name
        );
        if let Some(field) = case.field {
            let fields: Vec<&str> = problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(fields.contains(&field), "{}: {fields:?}", case.name);
        }
    }

    let listed: Value = service
        .client
        .get(service.url("/api/v1/companies?includeArchived=true"))
        .bearer_auth(token(&["organizer"], None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"], json!([]), "no bad request stored anything");
}
