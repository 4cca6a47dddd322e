//! Attendees of a published event hear of a change to its agenda: each attendee with a
//! confirmed seat gets one mail per change, with the link to the current agenda; the other
//! newsletter subscribers get the progressive newsletter, and the final one when
//! registration closes; nobody else hears anything.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::people::PeopleFleet;
use fleet_tests::planning::{published_evening, walk_status};
use fleet_tests::services::{claims, TEST_SECRET};
use fleet_tests::{eventually, unique, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use service_kit::auth::{mint_hs256, Claims};
use sqlx::Connection;
use uuid::Uuid;

fn attendee_api(fleet: &PeopleFleet, id: Uuid) -> Api {
    let claims = Claims {
        attendee_id: Some(id),
        ..claims(&format!("attendee-{id}"), &["attendee"])
    };
    Api::at(
        &fleet.attendees.base_url,
        Some(mint_hs256(TEST_SECRET, &claims)),
    )
}

#[tokio::test]
async fn an_agenda_change_after_publication_mails_each_registered_attendee_once() {
    let db = TestDb::create().await;
    let fleet = PeopleFleet::start(&db).await;
    let planner = Api::as_roles(&fleet.events, &["organizer"]);
    let (event_id, sessions, _) = published_evening(&planner, 77, 10).await;
    walk_status(&planner, &event_id, &["registration_open"]).await;

    let organizer = Api::as_roles(&fleet.attendees, &["organizer"]);
    let mut people = Vec::new();
    for name in ["ria", "sam", "tom", "uma"] {
        let email = format!("{}@example.ch", unique(name));
        let body = json!({"email": email, "firstName": name, "lastName": "Agenda", "language": "en",
            "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
        let created = organizer
            .post("/api/v1/attendees", &body)
            .await
            .expect(StatusCode::CREATED);
        people.push((
            email,
            created["id"].as_str().unwrap().parse::<Uuid>().unwrap(),
        ));
    }
    for (email, id) in &people[..2] {
        eventually(
            Duration::from_secs(60),
            "the event is open for registration",
            || async {
                let answer = attendee_api(&fleet, *id)
                    .post("/api/v1/registrations", &json!({"eventId": event_id}))
                    .await;
                (answer.status == StatusCode::CREATED).then_some(())
            },
        )
        .await;
        wait_for_mails(email, 1).await;
    }

    // Uma reads the newsletter (double opt-in through the link in her mail).
    let (uma_email, uma) = people[3].clone();
    attendee_api(&fleet, uma)
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"source": "website"}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    let confirmation = wait_for_mails(&uma_email, 1).await.remove(0);
    let token = confirmation
        .text()
        .split("/newsletter/confirm?token=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_owned();
    let confirmed = reqwest::Client::new()
        .post(fleet.attendees.url("/newsletter/confirm"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    eventually(Duration::from_secs(60), "the subscription reaches notifications", || async {
        let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
        let count: i64 = sqlx::query_scalar("select count(*) from notifications.newsletter_subscribers where attendee_id = $1 and status = 'confirmed'")
            .bind(uma).fetch_one(&mut admin).await.unwrap();
        (count == 1).then_some(())
    })
    .await;

    let path = format!("/api/v1/sessions/{}", sessions[1]);
    let session = planner.get(&path).await;
    let tag = session.etag();
    let mut body = session.body.clone();
    body["room"] = json!("Kleiner Saal");
    for field in [
        "id",
        "eventId",
        "speakers",
        "cancelledAt",
        "createdAt",
        "updatedAt",
        "version",
        "slotNumber",
    ] {
        body.as_object_mut().unwrap().remove(field);
    }
    planner
        .put_if(&path, &body, &tag)
        .await
        .expect(StatusCode::OK);

    for (email, _) in &people[..2] {
        let mails = wait_for_mails(email, 2).await;
        assert!(
            mails[1].subject.starts_with("Agenda changed"),
            "{:?}",
            mails[1].subject
        );
        assert!(mails[1]
            .text()
            .contains(&format!("/api/v1/events/{event_id}/agenda")));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (email, _) in &people[..2] {
        let agenda_mails = mails_to(email)
            .await
            .into_iter()
            .filter(|m| m.subject.starts_with("Agenda"))
            .count();
        assert_eq!(agenda_mails, 1, "once per change");
    }
    assert!(
        mails_to(&people[2].0).await.is_empty(),
        "not registered: no mail"
    );
}
