//! Attendees and registrations as attendees and organizers use them, GDPR included.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::published_evening;
use fleet_tests::{eventually, TestDb, TestService};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use uuid::Uuid;

fn ada(email: &str) -> Value {
    json!({"email": email, "firstName": "Ada", "lastName": "Lovelace", "position": "Architect", "gdprConsent": {"given": true, "policyVersion": "2026-01"}})
}

fn as_attendee(service: &TestService, id: &str) -> Api {
    let token = service_kit::auth::mint_hs256(
        fleet_tests::services::TEST_SECRET,
        &service_kit::auth::Claims {
            sub: format!("attendee-{id}"),
            roles: vec!["attendee".into()],
            speaker_id: None,
            company_id: None,
            attendee_id: Some(id.parse().unwrap()),
            email: None,
            exp: chrono::Utc::now().timestamp() + 600,
            nbf: None,
            iss: Some(service_kit::credentials::DEV_JWT_ISSUER.into()),
            aud: Some(service_kit::credentials::DEV_JWT_AUDIENCE.into()),
        },
    );
    Api::at(&service.base_url, Some(token))
}

#[tokio::test]
async fn attendees_manage_only_themselves() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let created = organizer
        .post("/api/v1/attendees", &ada("Ada@Example.ch"))
        .await
        .expect(StatusCode::CREATED);
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["email"], "ada@example.ch");
    assert_eq!(created["gdprConsent"]["given"], true);
    assert!(created["gdprConsent"]["givenAt"].is_string());
    let dup = organizer
        .post("/api/v1/attendees", &ada("ADA@example.CH"))
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["existingId"], id);
    let other = organizer
        .post("/api/v1/attendees", &ada("grace@example.ch"))
        .await
        .expect(StatusCode::CREATED);

    let ada_api = as_attendee(&service, id);
    assert_eq!(
        ada_api.get(&format!("/api/v1/attendees/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        ada_api
            .get(&format!(
                "/api/v1/attendees/{}",
                other["id"].as_str().unwrap()
            ))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ada_api.get("/api/v1/attendees").await.status,
        StatusCode::FORBIDDEN
    );
    let updated = ada_api
        .patch_if(
            &format!("/api/v1/attendees/{id}"),
            &json!({"position": null}),
            "\"1\"",
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(updated["position"], Value::Null);
    let unknown_company = ada_api
        .patch_if(
            &format!("/api/v1/attendees/{id}"),
            &json!({"companyId": Uuid::new_v4()}),
            "\"2\"",
        )
        .await;
    assert_eq!(unknown_company.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_company.body["errors"][0]["field"], "companyId");
    // An id minted a moment ago may still be on its way from the companies service.
    let not_yet_known = ada_api
        .send(
            Method::PATCH,
            &format!("/api/v1/attendees/{id}"),
            Some(&json!({"companyId": Uuid::now_v7()})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(not_yet_known.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_yet_known.headers["retry-after"], "1");
    assert_eq!(not_yet_known.body["code"], "not_yet_known");
    assert_eq!(not_yet_known.body["errors"][0]["field"], "companyId");
    let bad = organizer.post("/api/v1/attendees", &json!({"email": "nope", "firstName": "", "lastName": "X", "gdprConsent": {"given": true}})).await;
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "firstName", "gdprConsent.policyVersion"]);
}

#[tokio::test]
async fn registering_is_idempotent_and_an_event_not_open_creates_nothing() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let planner = Api::as_roles(&events, &["organizer"]);
    let (event_id, _, _) = published_evening(&planner, 81, 10).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let id = organizer
        .post("/api/v1/attendees", &ada("ada@example.ch"))
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ada_api = as_attendee(&service, &id);

    let not_open = ada_api
        .post("/api/v1/registrations", &json!({"eventId": event_id}))
        .await
        .expect_problem(StatusCode::CONFLICT, None);
    assert_eq!(
        not_open["detail"],
        "Registration for this event is not open yet"
    );
    let registrations = ada_api
        .get("/api/v1/registrations")
        .await
        .expect(StatusCode::OK);
    assert_eq!(registrations["items"], json!([]), "nothing was created");

    fleet_tests::planning::walk_status(&planner, &event_id, &["registration_open"]).await;
    let first = ada_api
        .post(
            "/api/v1/registrations",
            &json!({"eventId": event_id, "specialRequests": "wheelchair access"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let again = ada_api
        .post("/api/v1/registrations", &json!({"eventId": event_id}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["specialRequests"], "wheelchair access");
    let someone_else = ada_api
        .post(
            "/api/v1/registrations",
            &json!({"eventId": event_id, "attendeeId": Uuid::now_v7()}),
        )
        .await;
    assert_eq!(someone_else.status, StatusCode::FORBIDDEN);

    fleet_tests::planning::walk_status(&planner, &event_id, &["registration_closed"]).await;
    let late = as_attendee(&service, &id);
    let closed = eventually(Duration::from_secs(30), "registration closes", || async {
        let answer = late
            .post(
                "/api/v1/registrations",
                &json!({"eventId": event_id, "attendeeId": id}),
            )
            .await;
        (answer.status == StatusCode::CONFLICT).then_some(answer.body)
    })
    .await;
    assert_eq!(closed["detail"], "Registration for this event is closed");
}

/// Registers a new attendee for the event (as an organizer) and waits for `outcome`;
/// answers the registration's id.
async fn registered(organizer: &Api, email: &str, event_id: &str, outcome: &str) -> String {
    let attendee = organizer
        .post("/api/v1/attendees", &ada(email))
        .await
        .expect(StatusCode::CREATED);
    let body = json!({"eventId": event_id, "attendeeId": attendee["id"]});
    let registration = organizer
        .post("/api/v1/registrations", &body)
        .await
        .expect(StatusCode::CREATED);
    let id = registration["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/registrations/{id}");
    eventually(Duration::from_secs(60), outcome, || async {
        let current = organizer.get(&path).await.expect(StatusCode::OK);
        (current["status"] == outcome).then_some(())
    })
    .await;
    id
}

#[tokio::test]
async fn closing_registration_turns_the_waitlist_away() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let planner = Api::as_roles(&events, &["organizer"]);
    let (event_id, _, _) = published_evening(&planner, 84, 1).await;
    fleet_tests::planning::walk_status(&planner, &event_id, &["registration_open"]).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let seated = registered(&organizer, "ada.seat@example.ch", &event_id, "confirmed").await;
    let waiting = registered(&organizer, "bob.wait@example.ch", &event_id, "waitlisted").await;

    fleet_tests::planning::walk_status(&planner, &event_id, &["registration_closed"]).await;
    let turned_away = eventually(
        Duration::from_secs(60),
        "the waitlist is turned away",
        || async {
            let current = organizer
                .get(&format!("/api/v1/registrations/{waiting}"))
                .await
                .expect(StatusCode::OK);
            (current["status"] == "rejected").then_some(current)
        },
    )
    .await;
    assert_eq!(turned_away["refusalReason"], "closed");
    let kept = organizer
        .get(&format!("/api/v1/registrations/{seated}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(kept["status"], "confirmed");
}

#[tokio::test]
async fn erasure_removes_the_person_everywhere_and_gives_back_seats_of_events_to_come() {
    let db = TestDb::create().await;
    let fleet = fleet_tests::people::PeopleFleet::start(&db).await;
    let (events, service) = (&fleet.events, &fleet.attendees);
    let planner = Api::as_roles(events, &["organizer"]);
    let (event_id, _, _) = published_evening(&planner, 82, 10).await;
    fleet_tests::planning::walk_status(&planner, &event_id, &["registration_open"]).await;
    let organizer = Api::as_roles(service, &["organizer"]);
    let id = organizer
        .post("/api/v1/attendees", &ada("ada.erase@example.ch"))
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ada_api = as_attendee(service, &id);
    let registration = ada_api
        .post(
            "/api/v1/registrations",
            &json!({"eventId": event_id, "specialRequests": "call me Ada Lovelace"}),
        )
        .await
        .expect(StatusCode::CREATED);
    eventually(Duration::from_secs(60), "confirmed", || async {
        (ada_api
            .get(&format!(
                "/api/v1/registrations/{}",
                registration["id"].as_str().unwrap()
            ))
            .await
            .body["status"]
            == "confirmed")
            .then_some(())
    })
    .await;
    let export = ada_api
        .get(&format!("/api/v1/attendees/{id}/export"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(export["attendee"]["email"], "ada.erase@example.ch");
    assert_eq!(export["registrations"].as_array().unwrap().len(), 1);
    let seats = &export["elsewhere"]["events"]["seat_reservations"];
    assert_eq!(
        seats.as_array().unwrap().len(),
        1,
        "the events context's seat: {seats}"
    );

    assert_eq!(
        ada_api
            .delete(&format!("/api/v1/attendees/{id}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ada_api
            .delete(&format!("/api/v1/attendees/{id}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let leftovers: Vec<String> = sqlx::query_scalar(
        "select table_schema || '.' || table_name from information_schema.tables where table_schema in ('attendees', 'events') and table_type = 'BASE TABLE'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    for table in leftovers {
        let hits: i64 = sqlx::query_scalar(&format!("select count(*) from {table} t where t::text ilike '%ada.erase@example.ch%' or t::text ilike '%lovelace%'"))
            .fetch_one(&mut admin)
            .await
            .unwrap();
        assert_eq!(hits, 0, "{table} still holds the person");
    }
    let listed = organizer
        .get("/api/v1/attendees?q=ada.erase")
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["items"], json!([]));
    // The event is still to come: the erased person's seat goes back to it.
    eventually(Duration::from_secs(60), "the seat is released", || async {
        let event = planner
            .get(&format!("/api/v1/events/{event_id}"))
            .await
            .expect(StatusCode::OK);
        (event["currentAttendeeCount"] == 0).then_some(())
    })
    .await;
    let kept = organizer
        .get(&format!(
            "/api/v1/registrations/{}",
            registration["id"].as_str().unwrap()
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(kept["status"], "cancelled", "the registration is counted");
    let again = organizer
        .post("/api/v1/attendees", &ada("ada.erase@example.ch"))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "the email is free again");
}
