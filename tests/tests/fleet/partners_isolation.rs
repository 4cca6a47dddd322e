//! Isolation of the partner portal, table-driven: every route of the partners API called
//! about partner A's data by A's own integration, another partner's, an organizer, a
//! speaker, an attendee and an anonymous caller. A partner reads and writes only its own;
//! what is someone else's answers 404 (nobody learns what exists).

use fleet_tests::api::Api;
use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::{token, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// Callers in the order of every row's expectations. Every request carries a stale
/// `If-Match`, so a write that checks versions answers 412 only to a caller allowed to make it.
const CALLERS: [&str; 6] = [
    "own partner",
    "other partner",
    "organizer",
    "speaker",
    "attendee",
    "anonymous",
];

struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    expected: [u16; 6],
}

fn row(method: Method, path: String, body: Option<Value>, expected: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body,
        expected,
    }
}

#[tokio::test]
async fn every_partner_route_for_own_other_organizer_speaker_attendee_and_anonymous() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let (own_company, other_company) = (
        fleet.company("Acme AG").await,
        fleet.company("Bern IT").await,
    );
    let a = fleet.partner(own_company, "gold").await;
    fleet.partner(other_company, "silver").await;
    let own = fleet.partner_of(own_company);
    let contact = own
        .post(
            &format!("/api/v1/partners/{a}/contacts"),
            &json!({"firstName": "Anna", "lastName": "Muster", "email": "anna@acme.ch", "role": "CTO", "language": "de", "isPrimary": true}),
        )
        .await
        .expect(StatusCode::CREATED);
    let contact = id_of(&contact);
    let suggestion = own
        .post(
            "/api/v1/topic-suggestions",
            &json!({"title": "Cell-based architecture", "category": "technical"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let suggestion = id_of(&suggestion);
    // Only A has a primary contact, so only A is invited.
    let at = chrono::Utc::now() + chrono::Duration::days(10);
    let meeting = fleet
        .organizer(&fleet.partners)
        .post("/api/v1/partner-meetings", &json!({"meetingType": "ad_hoc", "title": "Roadmap", "scheduledAt": at, "location": "Bern", "agenda": "2027"}))
        .await
        .expect(StatusCode::CREATED);
    let meeting = id_of(&meeting);

    let base = fleet.partners.base_url.clone();
    let callers = [
        own,
        fleet.partner_of(other_company),
        fleet.organizer(&fleet.partners),
        Api::at(
            &base,
            Some(fleet_tests::services::token_of_speaker(
                &Uuid::now_v7().to_string(),
            )),
        ),
        Api::at(&base, Some(token(&["attendee"], None))),
        Api::at(&base, None),
    ];
    let new_contact = |n: usize| {
        Some(
            json!({"firstName": "Ben", "lastName": "Beispiel", "email": format!("ben{n}@acme.ch"), "role": "CFO", "language": "en"}),
        )
    };
    let rows = [
        row(
            Method::GET,
            format!("/api/v1/partners/{a}"),
            None,
            [200, 404, 200, 403, 403, 401],
        ),
        row(
            Method::PATCH,
            format!("/api/v1/partners/{a}"),
            Some(json!({"partnershipLevel": "platinum"})),
            [403, 403, 412, 403, 403, 401],
        ),
        row(
            Method::GET,
            "/api/v1/partners/tiers".into(),
            None,
            [200, 200, 200, 403, 403, 401],
        ),
        row(
            Method::POST,
            "/api/v1/partners".into(),
            Some(
                json!({"companyId": own_company, "partnershipLevel": "gold", "partnershipStartDate": "2026-01-01"}),
            ),
            [403, 403, 409, 403, 403, 401],
        ),
        row(
            Method::GET,
            format!("/api/v1/partners/{a}/contacts"),
            None,
            [200, 404, 200, 403, 403, 401],
        ),
        row(
            Method::POST,
            format!("/api/v1/partners/{a}/contacts"),
            new_contact(0),
            [201, 404, 201, 403, 403, 401],
        ),
        row(
            Method::PATCH,
            format!("/api/v1/partners/{a}/contacts/{contact}"),
            Some(json!({"role": "CIO"})),
            [412, 404, 412, 403, 403, 401],
        ),
        row(
            Method::DELETE,
            format!("/api/v1/partners/{a}/contacts/{}", Uuid::now_v7()),
            None,
            [404, 404, 404, 403, 403, 401],
        ),
        row(
            Method::GET,
            format!("/api/v1/partners/{a}/analytics"),
            None,
            [200, 404, 200, 403, 403, 401],
        ),
        row(
            Method::GET,
            format!("/api/v1/topic-suggestions/{suggestion}"),
            None,
            [200, 404, 200, 403, 403, 401],
        ),
        row(
            Method::POST,
            format!("/api/v1/topic-suggestions/{suggestion}/decision"),
            Some(json!({"status": "under_review"})),
            [403, 403, 412, 403, 403, 401],
        ),
        row(
            Method::GET,
            "/api/v1/topic-suggestions".into(),
            None,
            [200, 200, 200, 403, 403, 401],
        ),
        row(
            Method::GET,
            "/api/v1/topic-votes".into(),
            None,
            [200, 200, 200, 403, 403, 401],
        ),
        row(
            Method::PUT,
            format!("/api/v1/topic-votes/{}", Uuid::new_v4()),
            Some(json!({"value": 4})),
            [422, 422, 403, 403, 403, 401],
        ),
        row(
            Method::DELETE,
            format!("/api/v1/topic-votes/{}", Uuid::now_v7()),
            None,
            [404, 404, 403, 403, 403, 401],
        ),
        row(
            Method::GET,
            format!("/api/v1/partner-meetings/{meeting}"),
            None,
            [200, 404, 200, 403, 403, 401],
        ),
        row(
            Method::GET,
            "/api/v1/partner-meetings".into(),
            None,
            [200, 200, 200, 403, 403, 401],
        ),
        row(
            Method::PUT,
            format!("/api/v1/partner-meetings/{meeting}/rsvp"),
            Some(json!({"status": "tentative"})),
            [200, 404, 403, 403, 403, 401],
        ),
        row(
            Method::PUT,
            format!("/api/v1/partner-meetings/{meeting}/attendance/{a}"),
            Some(json!({"attended": true})),
            [403, 403, 409, 403, 403, 401],
        ),
        row(
            Method::GET,
            format!("/api/v1/partner-meetings/{meeting}/materials"),
            None,
            [200, 404, 200, 403, 403, 401],
        ),
        row(
            Method::POST,
            format!("/api/v1/partner-meetings/{meeting}/materials"),
            None,
            [403, 403, 201, 403, 403, 401],
        ),
        row(
            Method::POST,
            "/api/v1/partner-meetings".into(),
            Some(
                json!({"meetingType": "autumn", "title": "Herbst", "scheduledAt": at, "location": "Bern", "agenda": "-"}),
            ),
            [403, 403, 201, 403, 403, 401],
        ),
    ];
    let mut disagreements = Vec::new();
    for (n, r) in rows.iter().enumerate() {
        for (caller, (api, expected)) in CALLERS.iter().zip(callers.iter().zip(r.expected)) {
            let body = match (
                &r.body,
                r.path.ends_with("/contacts") && r.method == Method::POST,
            ) {
                (_, true) => new_contact(n * 10 + caller.len()),
                (body, false) => body.clone(),
            };
            // A stale version: writes that check it answer 412 once the caller may write.
            let answer = api
                .send(r.method.clone(), &r.path, body.as_ref(), Some("\"999\""))
                .await;
            if answer.status.as_u16() != expected {
                disagreements.push(format!(
                    "{} {} as {caller}: {} (expected {expected}) {}",
                    r.method, r.path, answer.status, answer.body
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));

    // Lists show a partner only its own.
    let listed = callers[1]
        .get("/api/v1/partners")
        .await
        .expect(StatusCode::OK);
    let companies: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["companyId"].as_str().unwrap())
        .collect();
    assert_eq!(companies, [other_company.to_string()]);
    let suggestions = callers[1]
        .get("/api/v1/topic-suggestions")
        .await
        .expect(StatusCode::OK);
    assert!(suggestions["items"].as_array().unwrap().is_empty());
    let meetings = callers[1]
        .get("/api/v1/partner-meetings")
        .await
        .expect(StatusCode::OK);
    assert!(meetings["items"].as_array().unwrap().is_empty());
}
