//! Partner webhooks against a receiver on this machine that checks every signature the way
//! a partner's integration would (Standard Webhooks): the events that concern the partner
//! arrive signed, a failing receiver is retried on the schedule, the delivery log tells
//! each outcome, a delivery can be replayed, and a receiver that keeps failing gets its
//! subscription disabled and the partner's primary contact a mail.

use std::sync::atomic::Ordering;
use std::time::Duration;

use fleet_tests::mail::wait_for_mails;
use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::webhooks::Receiver;
use fleet_tests::{brokers, eventually, producer, publish, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared_domain::contracts::attendees::RegistrationStatusChanged;
use shared_domain::contracts::Known;
use uuid::Uuid;

fn status_changed(company_id: Option<Uuid>) -> RegistrationStatusChanged {
    RegistrationStatusChanged {
        registration_id: Uuid::now_v7(),
        event_id: Uuid::now_v7(),
        attendee_id: Uuid::now_v7(),
        status: Known::named("confirmed"),
        reason: None,
        changed_at: chrono::Utc::now(),
        company_id,
    }
}

#[tokio::test]
async fn a_partners_integration_receives_its_events_signed_retried_and_logged() {
    // Retries after half a second, twice: a delivery has three attempts.
    std::env::set_var("WEBHOOK_RETRY_SECS", "0.5,0.5");
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let (acme, bern) = (
        fleet.company("Acme AG").await,
        fleet.company("Bern IT").await,
    );
    let (gold, _silver) = (
        fleet.partner(acme, "gold").await,
        fleet.partner(bern, "silver").await,
    );
    let contact = format!("webhooks.{}@acme.ch", Uuid::now_v7().simple());
    let portal = fleet.partner_of(acme);
    portal
        .post(
            &format!("/api/v1/partners/{gold}/contacts"),
            &json!({"firstName": "Wanda", "lastName": "Hook", "email": contact, "role": "CTO", "language": "de", "isPrimary": true}),
        )
        .await
        .expect(StatusCode::CREATED);

    let hooks = format!("/api/v1/partners/{gold}/webhooks");
    let refused = portal
        .post(
            &hooks,
            &json!({"url": url, "eventTypes": ["events.seat.reserved.v1"]}),
        )
        .await;
    refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("eventTypes[0]"));
    let created = portal
        .post(
            &hooks,
            &json!({"url": url, "eventTypes": ["partners.meeting.invited.v1", "attendees.registration.status_changed.v1"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    *receiver.secret.lock().unwrap() = secret;
    let subscription = id_of(&created);
    let listed = portal.get(&hooks).await.expect(StatusCode::OK);
    assert_eq!(listed[0]["id"], created["id"]);
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once"
    );
    fleet
        .partner_of(bern)
        .get(&hooks)
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);

    // A meeting invitation: the receiver fails twice, the third attempt is delivered.
    receiver.failures.store(2, Ordering::SeqCst);
    let at = chrono::Utc::now() + chrono::Duration::days(30);
    fleet
        .organizer(&fleet.partners)
        .post(
            "/api/v1/partner-meetings",
            &json!({"meetingType": "spring", "title": "Frühjahrstreffen", "scheduledAt": at, "location": "Bern", "agenda": "Themen"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let log = format!("{hooks}/{subscription}/deliveries");
    let delivered = eventually(
        Duration::from_secs(60),
        "the invitation delivered",
        || async {
            let log = portal.get(&log).await.expect(StatusCode::OK);
            (log[0]["status"] == "succeeded").then_some(log[0].clone())
        },
    )
    .await;
    assert_eq!(delivered["attempts"], 3);
    assert_eq!(delivered["lastStatusCode"], 204);
    assert_eq!(delivered["eventType"], "partners.meeting.invited.v1");
    let attempts = receiver.received();
    assert_eq!(attempts.len(), 3);
    assert!(attempts
        .iter()
        .all(|r| r.verified && r.id == delivered["id"]));
    assert_eq!(attempts[0].body["type"], "partners.meeting.invited.v1");
    assert_eq!(attempts[0].body["data"]["partnerId"], gold.to_string());

    // An employee's registration reaches the partner; another company's does not.
    let producer = producer(&brokers());
    let prefix = &fleet.partners.topic_prefix;
    publish(&producer, prefix, &status_changed(Some(bern))).await;
    publish(&producer, prefix, &status_changed(None)).await;
    let employee = status_changed(Some(acme));
    publish(&producer, prefix, &employee).await;
    let registration = eventually(
        Duration::from_secs(60),
        "the registration delivered",
        || async {
            let got = receiver.received();
            got.iter()
                .find(|r| r.body["type"] == "attendees.registration.status_changed.v1")
                .cloned()
        },
    )
    .await;
    assert!(registration.verified);
    assert_eq!(registration.body["data"]["companyId"], acme.to_string());
    assert_eq!(
        registration.body["data"]["registrationId"],
        employee.registration_id.to_string()
    );

    // Replayed by hand: the same delivery (same webhook-id) arrives again.
    let replayed = portal
        .send(
            Method::POST,
            &format!("{log}/{}/replay", registration.id),
            Some(&json!({})),
            None,
        )
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(replayed["status"], "pending");
    eventually(Duration::from_secs(30), "the replay delivered", || async {
        let again = receiver
            .received()
            .iter()
            .filter(|r| r.id == registration.id)
            .count();
        (again == 2).then_some(())
    })
    .await;

    // A receiver that keeps failing: three deliveries fail after all their attempts, the
    // subscription is disabled and the primary contact is told in German.
    receiver.failures.store(usize::MAX, Ordering::SeqCst);
    for _ in 0..3 {
        publish(&producer, prefix, &status_changed(Some(acme))).await;
    }
    let disabled = eventually(
        Duration::from_secs(60),
        "the subscription disabled",
        || async {
            let listed = portal.get(&hooks).await.expect(StatusCode::OK);
            (listed[0]["status"] == "disabled").then_some(listed[0].clone())
        },
    )
    .await;
    assert_eq!(disabled["failedDeliveries"], 3);
    // The meeting's invitation came first.
    let mails = wait_for_mails(&contact, 2).await;
    let told = mails
        .iter()
        .find(|m| m.subject.starts_with("Ihr Webhook wurde deaktiviert"))
        .unwrap_or_else(|| panic!("{:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>()));
    assert!(told.text().contains(&url));
    let log_after = portal.get(&log).await.expect(StatusCode::OK);
    let failed = log_after
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "failed")
        .count();
    assert_eq!(failed, 3);
    assert!(log_after
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "failed")
        .all(|d| d["attempts"] == 3 && d["lastStatusCode"] == 500));
    fleet
        .partner_of(acme)
        .send(
            Method::DELETE,
            &format!("{hooks}/{subscription}"),
            None,
            None,
        )
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(portal.get(&hooks).await.expect(StatusCode::OK), json!([]));
}
