//! Crypto-shredding: who a person is travels on the bus sealed with a key their owning
//! service keeps and destroys at erasure. An independent client that reads every topic
//! finds the person's email and names nowhere in plain text, before or after; before the
//! erasure the owner's key opens what was sealed (so the data is there and the fleet reads
//! it), afterwards no key exists and nothing opens.

use std::sync::Arc;
use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::services::{claims, TEST_SECRET};
use fleet_tests::{eventually, read_every_topic, sealed, unique, RawRecord, TestDb, TestService};
use notifications::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use service_kit::auth::{mint_hs256, Claims};
use service_kit::person_keys::open_with;
use shared_domain::contracts::{Identity, Sealed};
use uuid::Uuid;

/// A person with names and an address found nowhere else.
struct Person {
    email: String,
    first_name: String,
    last_name: String,
}

impl Person {
    fn new(kind: &str) -> Self {
        let tag = unique("").replace('-', "");
        Self {
            email: format!("{kind}.{tag}@example.ch"),
            first_name: format!("Quirina{tag}"),
            last_name: format!("Shredmann{tag}"),
        }
    }

    /// What an auditor would search the bus for.
    fn needles(&self) -> [String; 3] {
        [&self.email, &self.first_name, &self.last_name].map(|s| s.to_lowercase())
    }
}

/// The records on any topic of the fleet that show `person` in plain text.
fn showing(records: &[RawRecord], person: &Person) -> Vec<String> {
    records
        .iter()
        .filter(|r| {
            person
                .needles()
                .iter()
                .any(|n| r.text().contains(n.as_str()))
        })
        .map(|r| format!("{}: {}", r.topic, String::from_utf8_lossy(&r.value)))
        .collect()
}

/// The sealed identities on the bus that belong to person `id`.
fn sealed_for(records: &[RawRecord], id: Uuid) -> Vec<Sealed<Identity>> {
    records
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.value).ok())
        .filter_map(|v| serde_json::from_value(v.get("identity")?.clone()).ok())
        .filter(|s: &Sealed<Identity>| s.key_id == id)
        .collect()
}

async fn in_directory(db: &TestDb, email: &str) -> i64 {
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query_scalar("select count(*) from notifications.recipients where lower(email) = $1")
        .bind(email.to_lowercase())
        .fetch_one(&mut admin)
        .await
        .unwrap()
}

use sqlx::Connection;

#[tokio::test]
async fn after_erasure_no_topic_holds_a_readable_trace_of_the_person() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let owners = [("attendees", &attendees), ("speakers", &speakers)];
    let _notifications =
        TestService::notifications_keyed(&db, &events, &owners, Arc::new(SystemClock)).await;

    let (guest, talker) = (Person::new("guest"), Person::new("talker"));
    let organizer = Api::as_roles(&attendees, &["organizer"]);
    let attendee = organizer
        .post(
            "/api/v1/attendees",
            &json!({"email": guest.email, "firstName": guest.first_name, "lastName": guest.last_name,
                "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    let attendee_id: Uuid = attendee["id"].as_str().unwrap().parse().unwrap();
    // The attendee asks to move: the new address is sealed too.
    let moved_to = format!("moved.{}", guest.email);
    let themself = Api::at(
        &attendees.base_url,
        Some(mint_hs256(
            TEST_SECRET,
            &Claims {
                attendee_id: Some(attendee_id),
                ..claims(&format!("attendee-{attendee_id}"), &["attendee"])
            },
        )),
    );
    themself
        .patch_if(
            &format!("/api/v1/attendees/{attendee_id}"),
            &json!({"email": moved_to}),
            "\"1\"",
        )
        .await
        .expect(StatusCode::OK);

    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Shred AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let body = json!({"email": talker.email, "firstName": talker.first_name,
        "lastName": talker.last_name, "companyId": company["id"]});
    let speakers_api = Api::as_roles(&speakers, &["organizer"]);
    let speaker = eventually(Duration::from_secs(60), "the company is known", || async {
        let answer = speakers_api.post("/api/v1/speakers", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let speaker_id: Uuid = speaker["id"].as_str().unwrap().parse().unwrap();

    eventually(
        Duration::from_secs(90),
        "the notifications directory opened both identities",
        || async {
            let known =
                in_directory(&db, &guest.email).await + in_directory(&db, &talker.email).await;
            (known == 2).then_some(())
        },
    )
    .await;

    let prefix = format!("{}.", events.topic_prefix);
    let before = read_every_topic(&fleet_tests::brokers(), &prefix).await;
    for (person, id, owner) in [
        (&guest, attendee_id, &attendees),
        (&talker, speaker_id, &speakers),
    ] {
        assert_eq!(
            showing(&before, person),
            Vec::<String>::new(),
            "plain text on the bus"
        );
        let on_the_bus = sealed_for(&before, id);
        assert!(
            !on_the_bus.is_empty(),
            "the identity of {id} travels sealed"
        );
        let key = sealed::key_of(owner, id)
            .await
            .expect("the key exists before erasure");
        let opened = open_with(&key, &on_the_bus[0]).expect("the owner's key opens it");
        assert_eq!(opened.email, person.email.to_lowercase());
    }

    let erase = |service: &TestService, path: String, token: String| {
        let api = Api::at(&service.base_url, Some(token));
        async move { api.delete(&path).await.status }
    };
    let organizer_token = fleet_tests::token(&["organizer"], None);
    let erased_attendee = erase(
        &attendees,
        format!("/api/v1/attendees/{attendee_id}"),
        organizer_token.clone(),
    )
    .await;
    assert_eq!(erased_attendee, StatusCode::NO_CONTENT);
    let erased_speaker = erase(
        &speakers,
        format!("/api/v1/speakers/{speaker_id}"),
        organizer_token,
    )
    .await;
    assert_eq!(erased_speaker, StatusCode::NO_CONTENT);
    eventually(
        Duration::from_secs(90),
        "the notifications directory forgot both",
        || async {
            let known =
                in_directory(&db, &guest.email).await + in_directory(&db, &talker.email).await;
            (known == 0).then_some(())
        },
    )
    .await;

    let after = read_every_topic(&fleet_tests::brokers(), &prefix).await;
    assert!(
        after.len() > before.len(),
        "the erasures went on the bus too"
    );
    for (person, id, owner) in [
        (&guest, attendee_id, &attendees),
        (&talker, speaker_id, &speakers),
    ] {
        assert_eq!(
            showing(&after, person),
            Vec::<String>::new(),
            "plain text on the bus"
        );
        assert!(
            !after
                .iter()
                .any(|r| r.text().contains(&moved_to.to_lowercase())),
            "the address moved to"
        );
        assert!(
            !sealed_for(&after, id).is_empty(),
            "the sealed copies are still there"
        );
        assert_eq!(
            sealed::key_of(owner, id).await,
            None,
            "but the key of {id} is gone"
        );
    }
}

#[tokio::test]
async fn a_persons_key_is_handed_only_to_callers_with_the_service_secret() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let created = Api::as_roles(&attendees, &["organizer"])
        .post(
            "/api/v1/attendees",
            &json!({"email": "key.holder@example.ch", "firstName": "Key", "lastName": "Holder",
                "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    let route = attendees.url(&format!(
        "/internal/person-keys/{}",
        created["id"].as_str().unwrap()
    ));
    let client = reqwest::Client::new();
    for presented in [
        None,
        Some("batbern-local-dev-secret"),
        Some(fleet_tests::token(&["organizer"], None).as_str()),
    ] {
        let mut request = client.get(&route);
        if let Some(secret) = presented {
            request = request.bearer_auth(secret);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(
            answer.status(),
            StatusCode::UNAUTHORIZED,
            "presenting {presented:?}"
        );
        assert!(!answer.text().await.unwrap().contains("\"key\""));
    }
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    assert!(
        sealed::key_of(&attendees, id).await.is_some(),
        "the fleet's services get it"
    );
}
