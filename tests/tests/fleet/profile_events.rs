//! What the notifications context keeps its recipient directory from: attendees and
//! speakers announce their contact details (email, names, language) when created and when
//! those details change, and nothing for other changes.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::{brokers, eventually, read_topic, sealed, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The payloads of `event_type` keyed by `key` on `topic`, in order, once at least
/// `expected` of them arrived.
async fn announced(topic: &str, event_type: &str, key: &str, expected: usize) -> Vec<Value> {
    eventually(
        Duration::from_secs(60),
        &format!("{expected} × {event_type} on {topic}"),
        || async {
            let payloads: Vec<Value> =
                read_topic(&brokers(), topic, usize::MAX, Duration::from_secs(2))
                    .await
                    .into_iter()
                    .filter(|m| m.headers["ce_type"] == event_type && m.key.as_deref() == Some(key))
                    .map(|m| m.payload)
                    .collect();
            (payloads.len() >= expected).then_some(payloads)
        },
    )
    .await
}

fn field_names(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_attendee_profile_is_announced_at_creation_and_on_each_contact_change() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let created = organizer
        .post("/api/v1/attendees", &json!({"email": "Lin@Example.ch", "firstName": "Lin", "lastName": "Meier", "gdprConsent": {"given": false}}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["language"], "de", "German unless asked otherwise");
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/attendees/{id}");

    // Not a contact detail: nothing to announce. It comes first, so the relay's per-key
    // order puts any announcement of it before the next one.
    organizer
        .patch_if(&path, &json!({"position": "CTO"}), "\"1\"")
        .await
        .expect(StatusCode::OK);
    let changed = organizer
        .patch_if(
            &path,
            &json!({"lastName": "Keller", "language": "en"}),
            "\"2\"",
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed["language"], "en");
    let read = organizer.get(&path).await.expect(StatusCode::OK);
    assert_eq!(read["language"], "en");

    let profiles = announced(
        &service.topic("attendees"),
        "attendees.attendee.profile_changed.v2",
        &id,
        2,
    )
    .await;
    let mut seen = Vec::new();
    for p in &profiles {
        assert!(
            !p.to_string().to_lowercase().contains("lin@example.ch"),
            "who the attendee is travels sealed: {p}"
        );
        let who = sealed::identity(&service, &p["identity"]).await;
        seen.push((
            who.email,
            who.first_name,
            who.last_name,
            p["language"].clone(),
        ));
    }
    let expected = |last: &str, language: &str| {
        (
            "lin@example.ch".to_owned(),
            "Lin".to_owned(),
            last.to_owned(),
            json!(language),
        )
    };
    assert_eq!(
        seen,
        [expected("Meier", "de"), expected("Keller", "en")],
        "one announcement at creation, one for the contact change, none for the position"
    );
    assert!(profiles.iter().all(|p| p["attendeeId"] == id.as_str()));
}

#[tokio::test]
async fn an_unknown_attendee_language_is_a_problem_naming_the_field() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let refused = organizer
        .post("/api/v1/attendees", &json!({"email": "fr@example.ch", "firstName": "Fr", "lastName": "Ançais", "language": "fr", "gdprConsent": {"given": false}}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.headers["content-type"], "application/problem+json");
    assert_eq!(field_names(&refused.body), ["language"]);

    let created = organizer
        .post("/api/v1/attendees", &json!({"email": "en@example.ch", "firstName": "En", "lastName": "Glish", "language": "en", "gdprConsent": {"given": false}}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["language"], "en");
    let path = format!("/api/v1/attendees/{}", created["id"].as_str().unwrap());
    let upper = organizer
        .patch_if(&path, &json!({"language": "EN"}), "\"1\"")
        .await;
    assert_eq!(upper.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&upper.body), ["language"]);
    assert_eq!(
        organizer.get(&path).await.expect(StatusCode::OK)["language"],
        "en",
        "a refused change leaves the language as it was"
    );
}

#[tokio::test]
async fn a_speaker_profile_is_announced_at_creation_and_on_each_contact_change() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let companies = TestService::companies_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Delta AG", "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let organizer = Api::as_roles(&speakers, &["organizer"]);
    let body = json!({"email": "Noe@Example.ch", "firstName": "Noé", "lastName": "Graf", "companyId": company["id"],
        "communicationPreferences": {"language": "en", "emailNotifications": false}});
    let speaker = eventually(Duration::from_secs(60), "company known", || async {
        let answer = organizer.post("/api/v1/speakers", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let id = speaker["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/speakers/{id}");

    // Availability is no contact detail; the opt-in to mail is.
    organizer
        .patch_if(&path, &json!({"availability": "busy"}), "\"1\"")
        .await
        .expect(StatusCode::OK);
    organizer
        .patch_if(
            &path,
            &json!({"communicationPreferences": {"language": "en", "emailNotifications": true}}),
            "\"2\"",
        )
        .await
        .expect(StatusCode::OK);

    let profiles = announced(
        &speakers.topic("speakers"),
        "speakers.speaker.profile_changed.v2",
        &id,
        2,
    )
    .await;
    assert_eq!(profiles.len(), 2, "none for the availability: {profiles:?}");
    let first = &profiles[0];
    assert_eq!(first["speakerId"], id.as_str());
    assert!(
        !first.to_string().contains("noe@example.ch"),
        "sealed: {first}"
    );
    let who = sealed::identity(&speakers, &first["identity"]).await;
    assert_eq!(who.email, "noe@example.ch");
    assert_eq!(who.first_name, "Noé");
    assert_eq!(who.last_name, "Graf");
    assert_eq!(first["language"], "en");
    assert_eq!(first["emailNotifications"], false);
    assert_eq!(profiles[1]["emailNotifications"], true);
}

/// Runs a migration file again as the service's role, as it ran once at start-up.
async fn rerun(database_url: &str, schema: &str, file: &str) {
    use sqlx::{Connection, Executor};
    let path = format!(
        "{}/../migrations/{schema}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let sql = std::fs::read_to_string(&path).unwrap();
    let mut conn = sqlx::PgConnection::connect(database_url).await.unwrap();
    conn.execute(format!("set search_path to {schema}").as_str())
        .await
        .unwrap();
    conn.execute(sql.as_str()).await.unwrap();
}

async fn announcements(
    database_url: &str,
    schema: &str,
    event_type: &str,
    id: uuid::Uuid,
) -> Vec<Value> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(database_url).await.unwrap();
    sqlx::query_scalar(&format!(
        "select payload from {schema}.outbox where event_type = $1 and aggregate_id = $2 order by seq"
    ))
    .bind(event_type)
    .bind(id.to_string())
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn contacts_from_before_profile_events_are_announced_once_by_a_migration() {
    use sqlx::Connection;
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let speakers = TestService::speakers_beside(&db, &events).await;
    let (attendee, erased, speaker) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query(
        "insert into attendees.attendees (id, email, first_name, last_name, language, created_at, updated_at, erased_at)
         values ($1, 'old@example.ch', 'Olga', 'Old', 'en', now(), now(), null),
                ($2, 'erased-x@erased.invalid', 'Erased', 'Erased', 'de', now(), now(), now())",
    )
    .bind(attendee)
    .bind(erased)
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::query(
        "insert into speakers.speakers (id, email, first_name, last_name, company_id, communication_preferences, created_at, updated_at)
         values ($1, 'sam@example.ch', 'Sam', 'Speaker', $2, '{\"language\": \"en\", \"emailNotifications\": false}', now(), now())",
    )
    .bind(speaker)
    .bind(uuid::Uuid::now_v7())
    .execute(&mut admin)
    .await
    .unwrap();

    for _ in 0..2 {
        rerun(
            &attendees.database_url,
            "attendees",
            "20261125000007_announce_profiles.sql",
        )
        .await;
        rerun(
            &speakers.database_url,
            "speakers",
            "20261125000005_announce_profiles.sql",
        )
        .await;
    }
    let announced = announcements(
        &db.admin_url(),
        "attendees",
        "attendees.attendee.profile_changed.v1",
        attendee,
    )
    .await;
    assert_eq!(announced.len(), 1, "once, however often it runs");
    assert_eq!(announced[0]["email"], "old@example.ch");
    assert_eq!(announced[0]["language"], "en");
    assert!(announcements(
        &db.admin_url(),
        "attendees",
        "attendees.attendee.profile_changed.v1",
        erased
    )
    .await
    .is_empty());
    let announced = announcements(
        &db.admin_url(),
        "speakers",
        "speakers.speaker.profile_changed.v1",
        speaker,
    )
    .await;
    assert_eq!(announced.len(), 1);
    assert_eq!(announced[0]["emailNotifications"], false);
    let payload: shared_domain::contracts::speakers::SpeakerProfileChangedV1 =
        serde_json::from_value(announced[0].clone()).expect("the contract's shape");
    assert_eq!(payload.language.to_string(), "en");
    let on_the_bus = announced_on(
        &speakers.topic("speakers"),
        "speakers.speaker.profile_changed.v1",
        &speaker.to_string(),
    )
    .await;
    assert_eq!(on_the_bus["firstName"], "Sam");
}

async fn announced_on(topic: &str, event_type: &str, key: &str) -> Value {
    announced(topic, event_type, key, 1).await.remove(0)
}

#[tokio::test]
async fn topics_from_before_topic_events_are_announced_once_and_take_votes() {
    use sqlx::Connection;
    let db = TestDb::create().await;
    let fleet = fleet_tests::partners::PartnersFleet::start(&db).await;
    let topic = uuid::Uuid::now_v7();
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query(
        "insert into events.topics (id, title, category, created_date, updated_at) values ($1, 'Legacy topic', 'technical', now(), now())",
    )
    .bind(topic)
    .execute(&mut admin)
    .await
    .unwrap();
    for _ in 0..2 {
        rerun(
            &fleet.events.database_url,
            "events",
            "20261203000002_announce_topics.sql",
        )
        .await;
    }
    let announced =
        announcements(&db.admin_url(), "events", "events.topic.changed.v1", topic).await;
    assert_eq!(announced.len(), 1, "once, however often it runs");
    assert_eq!(announced[0]["title"], "Legacy topic");
    let company = fleet.company("Legacy AG").await;
    fleet.partner(company, "gold").await;
    let portal = fleet.partner_of(company);
    fleet_tests::eventually(Duration::from_secs(20), "the vote is taken", || async {
        let answer = portal
            .put(
                &format!("/api/v1/topic-votes/{topic}"),
                &json!({"value": 5}),
            )
            .await;
        (answer.status == StatusCode::OK).then_some(())
    })
    .await;
}
