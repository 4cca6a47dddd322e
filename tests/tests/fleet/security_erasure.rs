//! Erasure leaves nothing readable in the tables every schema shares: no dead letter that
//! names the person, no stored idempotent answer that shows them.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::{eventually, TestDb, TestService};
use rdkafka::producer::FutureRecord;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

const EMAIL: &str = "grace.erase@example.ch";

#[tokio::test]
async fn erasure_forgets_dead_letters_and_stored_answers_naming_the_person() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let created = organizer
        .client
        .post(attendees.url("/api/v1/attendees"))
        .bearer_auth(organizer.token.as_deref().unwrap())
        .header("idempotency-key", "grace-1")
        .json(
            &json!({"email": EMAIL, "firstName": "Grace", "lastName": "Hopper",
            "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    fleet_tests::producer(&fleet_tests::brokers())
        .send(
            FutureRecord::to(&attendees.topic("events"))
                .key("k")
                .payload(&format!("not an envelope, about {EMAIL}")),
            Duration::from_secs(5),
        )
        .await
        .expect("raw message produced");
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let held = "select (select count(*) from attendees.dead_letters where payload ilike '%grace.erase%')
        + (select count(*) from attendees.idempotency_keys
           where position(convert_to('grace.erase', 'UTF8') in coalesce(response_body, ''::bytea)) > 0)";
    eventually(
        Duration::from_secs(90),
        "the message is dead-lettered",
        || async {
            let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
            let count: i64 = sqlx::query_scalar(held)
                .fetch_one(&mut admin)
                .await
                .unwrap();
            (count == 2).then_some(())
        },
    )
    .await;

    let erased = organizer.delete(&format!("/api/v1/attendees/{id}")).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar(held)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        left, 0,
        "a dead letter or a stored answer still shows the person"
    );
}

/// Counts the rows of every table of `schemas` that still show `needle`.
async fn rows_showing(db: &TestDb, schemas: &[&str], needle: &str) -> Vec<String> {
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_schema || '.' || table_name from information_schema.tables
         where table_schema = any($1) and table_type = 'BASE TABLE'",
    )
    .bind(schemas)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    let mut showing = Vec::new();
    for table in tables {
        let hits: i64 = sqlx::query_scalar(&format!(
            "select count(*) from {table} t where t::text ilike '%' || $1 || '%'"
        ))
        .bind(needle)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        if hits > 0 {
            showing.push(table);
        }
    }
    showing
}

#[tokio::test]
async fn an_erased_speaker_is_gone_from_the_speakers_and_the_mail_directory() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let _notifications = TestService::notifications_keyed(
        &db,
        &events,
        &[("speakers", &speakers)],
        std::sync::Arc::new(notifications::clock::SystemClock),
    )
    .await;
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Epsilon AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let speaker = Api::as_roles(&speakers, &["organizer"])
        .post(
            "/api/v1/speakers",
            &json!({"email": "edsger.erase@example.ch", "firstName": "Edsger", "lastName": "Dijkstraerase",
                "companyId": company["id"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = speaker["id"].as_str().unwrap();
    eventually(
        Duration::from_secs(90),
        "the mail directory knows the speaker",
        || async {
            let showing = rows_showing(&db, &["notifications"], "edsger.erase@example.ch").await;
            (!showing.is_empty()).then_some(())
        },
    )
    .await;

    let themself = Api::at(
        &speakers.base_url,
        Some(fleet_tests::services::token_of_speaker(id)),
    );
    let erased = themself.delete(&format!("/api/v1/speakers/{id}")).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    let again = themself.delete(&format!("/api/v1/speakers/{id}")).await;
    assert_eq!(
        again.status,
        StatusCode::NO_CONTENT,
        "erasing again changes nothing"
    );

    eventually(
        Duration::from_secs(90),
        "nothing shows the speaker",
        || async {
            let mut showing =
                rows_showing(&db, &["speakers", "notifications"], "edsger.erase").await;
            showing
                .extend(rows_showing(&db, &["speakers", "notifications"], "dijkstraerase").await);
            showing.is_empty().then_some(())
        },
    )
    .await;
    let shown = themself
        .get(&format!("/api/v1/speakers/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(shown["lastName"], "Erased");
}

#[tokio::test]
async fn erasure_forgets_an_address_change_still_waiting_for_its_link() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let id = organizer
        .post(
            "/api/v1/attendees",
            &json!({"email": "ada.moving@example.ch", "firstName": "Ada", "lastName": "Moving",
                "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = service_kit::auth::Claims {
        attendee_id: Some(id.parse().unwrap()),
        ..fleet_tests::services::claims(&format!("attendee-{id}"), &["attendee"])
    };
    let ada = Api::at(
        &attendees.base_url,
        Some(service_kit::auth::mint_hs256(
            fleet_tests::services::TEST_SECRET,
            &claims,
        )),
    );
    ada.patch_if(
        &format!("/api/v1/attendees/{id}"),
        &json!({"email": "ada.new.home@example.ch"}),
        "\"1\"",
    )
    .await
    .expect(StatusCode::OK);
    assert!(!rows_showing(&db, &["attendees"], "ada.new.home")
        .await
        .is_empty());

    let erased = ada.delete(&format!("/api/v1/attendees/{id}")).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    let showing = rows_showing(&db, &["attendees"], "ada.new.home").await;
    assert!(
        showing.is_empty(),
        "still showing the new address: {showing:?}"
    );
}
