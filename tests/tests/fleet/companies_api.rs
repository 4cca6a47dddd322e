//! The companies API as organizers and partners use it.

use fleet_tests::{token, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub async fn create(
    service: &TestService,
    body: Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = service
        .client
        .post(service.url("/api/v1/companies"))
        .bearer_auth(token(&["organizer"], None))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.json().await.unwrap())
}

fn acme(name: &str) -> Value {
    json!({
        "name": name,
        "displayName": "Acme",
        "isPartner": true,
        "website": "https://acme.ch",
        "industry": "Software",
        "employeeCount": 120,
        "headquarters": {"street": "Bundesplatz 1", "postalCode": "3011", "city": "Bern", "country": "ch"},
        "socialLinks": {"linkedin": "https://linkedin.com/company/acme"}
    })
}

#[tokio::test]
async fn organizer_creates_and_reads_a_company() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;

    let (status, headers, created) = create(&service, acme("Acme AG")).await;

    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        headers["location"],
        format!("/api/v1/companies/{id}").as_str()
    );
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!(created["headquarters"]["country"], "CH");
    assert_eq!(created["createdBy"], "user-organizer");
    let read = service
        .client
        .get(service.url(&format!("/api/v1/companies/{id}")))
        .bearer_auth(token(&["attendee"], None))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.headers()["etag"], "\"1\"");
    let read: Value = read.json().await.unwrap();
    assert_eq!(read, created);
}

#[tokio::test]
async fn names_are_unique_regardless_of_case() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let (_, _, first) = create(&service, acme("Acme AG")).await;

    let (status, headers, problem) = create(&service, acme("  ACME ag ")).await;

    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem["existingId"], first["id"]);
}

#[tokio::test]
async fn update_needs_the_current_etag() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let (_, _, created) = create(&service, acme("Acme AG")).await;
    let url = service.url(&format!(
        "/api/v1/companies/{}",
        created["id"].as_str().unwrap()
    ));
    let organizer = token(&["organizer"], None);
    let patch = |if_match: Option<&str>, body: Value| {
        let mut request = service
            .client
            .patch(&url)
            .bearer_auth(&organizer)
            .json(&body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send()
    };

    let missing = patch(None, json!({"industry": "Consulting"}))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::PRECONDITION_REQUIRED);

    let updated = patch(
        Some("\"1\""),
        json!({"industry": "Consulting", "website": null}),
    )
    .await
    .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.headers()["etag"], "\"2\"");
    let body: Value = updated.json().await.unwrap();
    assert_eq!(body["industry"], "Consulting");
    assert_eq!(body["website"], Value::Null);
    assert_eq!(body["displayName"], "Acme");

    let stale = patch(Some("\"1\""), json!({"industry": "Banking"}))
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["currentETag"], "\"2\"");
}

#[tokio::test]
async fn partner_updates_only_its_own_company_and_not_its_status() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let (_, _, own) = create(&service, acme("Own AG")).await;
    let (_, _, other) = create(&service, acme("Other AG")).await;
    let own_id: Uuid = own["id"].as_str().unwrap().parse().unwrap();
    let partner = token(&["partner"], Some(own_id));
    let patch = |id: &str, body: Value| {
        service
            .client
            .patch(service.url(&format!("/api/v1/companies/{id}")))
            .bearer_auth(&partner)
            .header("if-match", "\"1\"")
            .json(&body)
            .send()
    };

    let ok = patch(
        own["id"].as_str().unwrap(),
        json!({"description": "We build things"}),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let foreign = patch(
        other["id"].as_str().unwrap(),
        json!({"description": "Hijack"}),
    )
    .await
    .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let status_change = patch(own["id"].as_str().unwrap(), json!({"isPartner": false}))
        .await
        .unwrap();
    assert_eq!(status_change.status(), StatusCode::FORBIDDEN);
    let create = service
        .client
        .post(service.url("/api/v1/companies"))
        .bearer_auth(&partner)
        .json(&acme("Sneaky AG"))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn list_searches_filters_and_pages_by_name() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    for (name, partner, industry) in [
        ("Delta Bank", false, "Banking"),
        ("alpha Systems", true, "Software"),
        ("Charlie Soft", true, "software"),
        ("Bravo Consulting", false, "Consulting"),
        ("Echo Software", false, "Software"),
    ] {
        let body = json!({"name": name, "isPartner": partner, "industry": industry});
        assert_eq!(create(&service, body).await.0, StatusCode::CREATED);
    }
    let organizer = token(&["organizer"], None);
    let list = |query: &str| {
        let url = service.url(&format!("/api/v1/companies{query}"));
        let request = service.client.get(url).bearer_auth(&organizer);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let names = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let first = list("?limit=2").await;
    assert_eq!(names(&first), ["alpha Systems", "Bravo Consulting"]);
    let second = list(&format!(
        "?limit=2&cursor={}",
        first["nextCursor"].as_str().unwrap()
    ))
    .await;
    assert_eq!(names(&second), ["Charlie Soft", "Delta Bank"]);
    let last = list(&format!(
        "?limit=2&cursor={}",
        second["nextCursor"].as_str().unwrap()
    ))
    .await;
    assert_eq!(names(&last), ["Echo Software"]);
    assert_eq!(last["nextCursor"], Value::Null);

    assert_eq!(
        names(&list("?q=SOFT").await),
        ["Charlie Soft", "Echo Software"]
    );
    assert_eq!(
        names(&list("?isPartner=true&industry=SOFTWARE").await),
        ["alpha Systems", "Charlie Soft"]
    );
    assert_eq!(names(&list("?q=%25").await), Vec::<String>::new());
}

#[tokio::test]
async fn archived_companies_leave_the_list_and_cannot_change() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let (_, _, created) = create(&service, acme("Acme AG")).await;
    let id = created["id"].as_str().unwrap();
    let organizer = token(&["organizer"], None);

    let archived = service
        .client
        .post(service.url(&format!("/api/v1/companies/{id}/archive")))
        .bearer_auth(&organizer)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::OK);
    let archived: Value = archived.json().await.unwrap();
    assert!(archived["archivedAt"].is_string());

    let listed: Value = service
        .client
        .get(service.url("/api/v1/companies"))
        .bearer_auth(&organizer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let with_archived: Value = service
        .client
        .get(service.url("/api/v1/companies?includeArchived=true"))
        .bearer_auth(&organizer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(with_archived["items"].as_array().unwrap().len(), 1);

    let update = service
        .client
        .patch(service.url(&format!("/api/v1/companies/{id}")))
        .bearer_auth(&organizer)
        .header("if-match", "*")
        .json(&json!({"industry": "Banking"}))
        .send()
        .await
        .unwrap();
    assert_eq!(update.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let organizer = token(&["organizer"], None);
    let post = |body: Value| {
        service
            .client
            .post(service.url("/api/v1/companies"))
            .bearer_auth(&organizer)
            .header("idempotency-key", "create-acme-1")
            .json(&body)
            .send()
    };

    let first = post(acme("Acme AG")).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let replay = post(acme("Acme AG")).await.unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap()["id"], first["id"]);

    let reused = post(acme("Other AG")).await.unwrap();
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let listed: Value = service
        .client
        .get(service.url("/api/v1/companies"))
        .bearer_auth(&organizer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}
