//! The registration saga end to end with the real bus: a rush of registrations for a small
//! event confirms exactly its capacity and waitlists the rest; cancellations promote the
//! oldest waitlisted registrations.

use std::collections::HashMap;
use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::{published_evening, walk_status};
use fleet_tests::{eventually, TestDb, TestService};
use futures::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

const CAPACITY: i32 = 300;
const ATTENDEES: usize = 2000;
const CANCELLATIONS: usize = 50;

async fn counts(db: &TestDb) -> HashMap<String, i64> {
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "select status, count(*) from attendees.event_registrations group by status",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    rows.into_iter().collect()
}

async fn create_attendees(people: &Api, range: std::ops::Range<usize>) -> Vec<String> {
    stream::iter(range)
        .map(|n| async move {
            let body = json!({"email": format!("guest{n}@example.ch"), "firstName": "Guest", "lastName": format!("No {n}"), "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
            people.post("/api/v1/attendees", &body).await.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned()
        })
        .buffer_unordered(32)
        .collect()
        .await
}

async fn register_all(people: &Api, event_id: &str, attendees: &[String]) -> Vec<String> {
    stream::iter(attendees.iter())
        .map(|attendee| async move {
            let body = json!({"eventId": event_id, "attendeeId": attendee, "specialRequests": "vegetarian"});
            people.post("/api/v1/registrations", &body).await.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned()
        })
        .buffer_unordered(64)
        .collect()
        .await
}

async fn settled(db: &TestDb, total: usize) -> HashMap<String, i64> {
    eventually(
        Duration::from_secs(240),
        "every registration settled",
        || async {
            let c = counts(db).await;
            (c.get("registered").copied().unwrap_or(0) == 0
                && c.values().sum::<i64>() == total as i64)
                .then_some(c)
        },
    )
    .await
}

#[tokio::test]
async fn a_rush_confirms_exactly_the_capacity_and_cancellations_promote_the_oldest_waitlisted() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&events, &["organizer"]);
    let (event_id, _, _) = published_evening(&organizer, 77, CAPACITY).await;
    walk_status(&organizer, &event_id, &["registration_open"]).await;
    let people = Api::as_roles(&attendees, &["organizer"]);

    let ids = create_attendees(&people, 0..ATTENDEES).await;
    let registrations = register_all(&people, &event_id, &ids).await;
    assert_eq!(registrations.len(), ATTENDEES);

    let settled = settled(&db, ATTENDEES).await;
    assert_eq!(settled["confirmed"], i64::from(CAPACITY));
    assert_eq!(
        settled["waitlisted"],
        (ATTENDEES as i64) - i64::from(CAPACITY)
    );

    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let oldest_waitlisted: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select id from attendees.event_registrations where status = 'waitlisted' order by registration_date, id limit $1",
    )
    .bind(CANCELLATIONS as i64)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    let confirmed: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select id from attendees.event_registrations where status = 'confirmed' limit $1",
    )
    .bind(CANCELLATIONS as i64)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    let position = people
        .get(&format!("/api/v1/registrations/{}", oldest_waitlisted[0]))
        .await
        .expect(StatusCode::OK);
    assert_eq!(position["waitlistPosition"], 1);
    for id in &confirmed {
        people
            .post(&format!("/api/v1/registrations/{id}/cancel"), &json!({}))
            .await
            .expect(StatusCode::OK);
    }

    eventually(
        Duration::from_secs(120),
        "the oldest waitlisted were promoted",
        || async {
            let c = counts(&db).await;
            (c.get("confirmed") == Some(&i64::from(CAPACITY)) && !c.contains_key("registered"))
                .then_some(())
        },
    )
    .await;
    let promoted: Vec<uuid::Uuid> = sqlx::query_scalar("select id from attendees.event_registrations where promoted_at is not null and status = 'confirmed' order by registration_date, id")
        .fetch_all(&mut admin)
        .await
        .unwrap();
    let mut expected = oldest_waitlisted.clone();
    expected.sort();
    let mut promoted_sorted = promoted.clone();
    promoted_sorted.sort();
    assert_eq!(
        promoted_sorted, expected,
        "exactly the oldest waitlisted were promoted"
    );
    let final_counts = counts(&db).await;
    assert_eq!(final_counts["cancelled"], CANCELLATIONS as i64);
    assert_eq!(
        final_counts["waitlisted"],
        (ATTENDEES - CANCELLATIONS) as i64 - i64::from(CAPACITY)
    );
    let event = organizer
        .get(&format!("/api/v1/events/{event_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(event["currentAttendeeCount"], CAPACITY);
}

#[tokio::test]
async fn crashing_either_service_mid_rush_changes_none_of_the_numbers() {
    const CAPACITY: i32 = 80;
    const GUESTS: usize = 400;
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let attendees = TestService::attendees_beside(&db, &events).await;
    // The rush begins at once: attendees must be in its consumer group by then.
    attendees.wait_until_ready().await;
    let organizer = Api::as_roles(&events, &["organizer"]);
    let (event_id, _, _) = published_evening(&organizer, 78, CAPACITY).await;
    walk_status(&organizer, &event_id, &["registration_open"]).await;
    let people = Api::as_roles(&attendees, &["organizer"]);
    let ids = create_attendees(&people, 0..GUESTS).await;

    register_all(&people, &event_id, &ids[..GUESTS / 2]).await;
    // Crash while the saga is running: seats are being decided and answered.
    eventually(Duration::from_secs(60), "the saga is under way", || async {
        let c = counts(&db).await;
        (c.get("confirmed").copied().unwrap_or(0) > 0).then_some(())
    })
    .await;
    let (attendees_db, prefix) = attendees.crash().await;
    let (events_db, events_prefix) = events.crash().await;
    let events = TestService::restart_events(events_db, events_prefix).await;
    let attendees = TestService::restart_attendees(attendees_db, prefix).await;
    let people = Api::as_roles(&attendees, &["organizer"]);
    register_all(&people, &event_id, &ids[GUESTS / 2..]).await;

    let counts = settled(&db, GUESTS).await;
    assert_eq!(counts["confirmed"], i64::from(CAPACITY));
    assert_eq!(counts["waitlisted"], (GUESTS as i64) - i64::from(CAPACITY));
    let organizer = Api::as_roles(&events, &["organizer"]);
    let event = organizer
        .get(&format!("/api/v1/events/{event_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        event["currentAttendeeCount"], CAPACITY,
        "no seat reserved twice"
    );
}
