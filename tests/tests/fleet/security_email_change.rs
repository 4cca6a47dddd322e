//! A person's new address is used only once its owner follows the link mailed there; the
//! current address is told; a next link waits a few minutes; and the answer to a change
//! tells nobody whether the new address is someone else's.

use std::sync::Arc;

use fleet_tests::api::Api;
use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::services::{claims, token_of_speaker, TEST_SECRET};
use fleet_tests::{unique, TestDb, TestService};
use notifications::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use service_kit::auth::{mint_hs256, Claims};

fn person(email: &str) -> Value {
    json!({"email": email, "firstName": "Ada", "lastName": "Lovelace",
        "gdprConsent": {"given": true, "policyVersion": "2026-01"}})
}

/// The attendee `id` acting with their own token.
fn themself(service: &TestService, id: &str) -> Api {
    let claims = Claims {
        attendee_id: Some(id.parse().unwrap()),
        ..claims(&format!("attendee-{id}"), &["attendee"])
    };
    Api::at(&service.base_url, Some(mint_hs256(TEST_SECRET, &claims)))
}

/// The attendee `id` asking, with their own token, to move to `email`; the answer.
async fn ask_to_move(attendees: &TestService, id: &str, email: &str) -> Value {
    themself(attendees, id)
        .patch_if(
            &format!("/api/v1/attendees/{id}"),
            &json!({"email": email}),
            "\"1\"",
        )
        .await
        .expect(StatusCode::OK)
}

/// A database with events, attendees and the notifications that mail for them.
async fn attendees_with_mail() -> (TestDb, TestService, TestService, TestService) {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let owners = [("attendees", &attendees)];
    let notifications =
        TestService::notifications_keyed(&db, &events, &owners, Arc::new(SystemClock)).await;
    (db, events, attendees, notifications)
}

async fn create(organizer: &Api, email: &str) -> String {
    organizer
        .post("/api/v1/attendees", &person(email))
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_new_address_is_used_only_after_its_owner_follows_the_link() {
    let (_db, _events, attendees, _notifications) = attendees_with_mail().await;
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let (old, new) = (
        format!("{}@example.ch", unique("old")),
        format!("{}@example.ch", unique("new")),
    );
    let id = create(&organizer, &old).await;
    let ada = themself(&attendees, &id);

    let asked = ask_to_move(&attendees, &id, &new).await;
    assert_eq!(
        asked["email"],
        old.as_str(),
        "mail keeps going to the current address"
    );
    assert_eq!(asked["pendingEmail"], new.as_str());

    // Another address asked for at once is refused: a profile mails no address after
    // address.
    let stranger = format!("{}@example.ch", unique("stranger"));
    let refused = ada
        .patch_if(
            &format!("/api/v1/attendees/{id}"),
            &json!({"email": stranger, "firstName": "Augusta"}),
            "*",
        )
        .await;
    assert!(refused.headers.contains_key("retry-after"));
    refused.expect_problem(StatusCode::TOO_MANY_REQUESTS, Some("email"));
    let unchanged = ada
        .get(&format!("/api/v1/attendees/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        unchanged["firstName"], "Ada",
        "nothing of the refused change is kept"
    );

    let notice = wait_for_mails(&old, 1).await;
    assert!(
        notice[0].text().contains("new e-mail address")
            || notice[0].text().contains("neue E-Mail-Adresse")
    );
    let confirmation = wait_for_mails(&new, 1).await;
    let text = confirmation[0].text();
    let token = text
        .split("/attendee/email/confirm?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned();

    let page = reqwest::get(attendees.url(&format!("/attendee/email/confirm?token={token}")))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(&new));
    let confirmed = reqwest::Client::new()
        .post(attendees.url("/attendee/email/confirm"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);

    let now = ada
        .get(&format!("/api/v1/attendees/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(now["email"], new.as_str());
    assert!(now.get("pendingEmail").is_none());
    let again = reqwest::Client::new()
        .post(attendees.url("/attendee/email/confirm"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "a link works once");
    assert!(
        mails_to(&stranger).await.is_empty(),
        "no link to the refused address"
    );
}

#[tokio::test]
async fn accounts_taking_turns_cannot_mail_one_stranger_again_and_again() {
    use sqlx::Connection;
    let (db, _events, attendees, _notifications) = attendees_with_mail().await;
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let stranger = format!("{}@example.ch", unique("stranger"));
    let mut accounts = Vec::new();
    for name in ["ada", "grace", "hedy"] {
        let email = format!("{}@example.ch", unique(name));
        accounts.push((create(&organizer, &email).await, email));
    }

    for (id, _) in &accounts {
        let answer = ask_to_move(&attendees, id, &stranger).await;
        assert_eq!(
            answer["pendingEmail"],
            stranger.as_str(),
            "every account is answered alike"
        );
    }

    wait_for_mails(&stranger, 1).await;
    wait_for_mails(&accounts[0].1, 1).await;
    let mut conn = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let links: i64 = sqlx::query_scalar(
        "select count(*) from attendees.outbox where event_type = 'attendees.attendee.email_change_requested.v2'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        links, 1,
        "one link to the stranger, none for the later accounts"
    );
    assert_eq!(mails_to(&stranger).await.len(), 1);
    for (_, email) in &accounts[1..] {
        assert!(mails_to(email).await.is_empty(), "no notice without a link");
    }
}

#[tokio::test]
async fn moving_to_someone_elses_address_reveals_nothing() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let ada = create(&organizer, "ada@example.ch").await;
    let grace = create(&organizer, "grace@example.ch").await;

    let answer = ask_to_move(&attendees, &ada, "grace@example.ch").await;
    assert_eq!(answer["email"], "ada@example.ch");
    assert!(!answer.to_string().contains(&grace), "no other person's id");
}

#[tokio::test]
async fn a_speaker_confirms_a_new_address_with_the_link_mailed_there() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let owners = [("speakers", &speakers)];
    let _notifications =
        TestService::notifications_keyed(&db, &events, &owners, Arc::new(SystemClock)).await;
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Gamma AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let (old, new) = (
        format!("{}@example.ch", unique("talk")),
        format!("{}@example.ch", unique("moved")),
    );
    let speaker = Api::as_roles(&speakers, &["organizer"])
        .post(
            "/api/v1/speakers",
            &json!({"email": old, "firstName": "Leo", "lastName": "Lamport", "companyId": company["id"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = speaker["id"].as_str().unwrap();
    let leo = Api::at(&speakers.base_url, Some(token_of_speaker(id)));

    let asked = leo
        .patch_if("/api/v1/speakers/me", &json!({"email": new}), "\"1\"")
        .await
        .expect(StatusCode::OK);
    assert_eq!(asked["email"], old.as_str());
    assert_eq!(asked["pendingEmail"], new.as_str());
    wait_for_mails(&old, 1).await;
    let confirmation = wait_for_mails(&new, 1).await;
    let text = confirmation[0].text();
    let token = text
        .split("/speaker/email/confirm?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned();
    let confirmed = reqwest::Client::new()
        .post(speakers.url("/speaker/email/confirm"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    let now = leo.get("/api/v1/speakers/me").await.expect(StatusCode::OK);
    assert_eq!(now["email"], new.as_str());
}

#[tokio::test]
async fn a_speaker_moving_to_another_speakers_address_learns_nothing() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Delta AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let organizer = Api::as_roles(&speakers, &["organizer"]);
    let mut ids = Vec::new();
    for email in ["leo@example.ch", "barbara@example.ch"] {
        let created = organizer
            .post(
                "/api/v1/speakers",
                &json!({"email": email, "firstName": "A", "lastName": "B", "companyId": company["id"]}),
            )
            .await
            .expect(StatusCode::CREATED);
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let answer = Api::at(&speakers.base_url, Some(token_of_speaker(&ids[0])))
        .patch_if(
            "/api/v1/speakers/me",
            &json!({"email": "barbara@example.ch"}),
            "\"1\"",
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(answer["email"], "leo@example.ch");
    assert!(
        !answer.to_string().contains(&ids[1]),
        "no other speaker's id"
    );
}
