//! Newsletter double opt-in: subscribe → confirmation link (token on the bus for the mail) →
//! confirmed; one-click unsubscribe.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::{brokers, eventually, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn subscriptions_need_the_confirmation_link_and_end_with_one_click() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let attendee = organizer
        .post("/api/v1/attendees", &json!({"email": "news@example.ch", "firstName": "N", "lastName": "Reader", "gdprConsent": {"given": true, "policyVersion": "2026-01"}}))
        .await
        .expect(StatusCode::CREATED);
    let id = attendee["id"].as_str().unwrap();
    assert_eq!(attendee["newsletterSubscription"], false);

    let pending = organizer
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"attendeeId": id, "source": "registration_form"}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(pending["status"], "pending");
    let again = organizer
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"attendeeId": id, "source": "event_page"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["id"], pending["id"]);
    assert_eq!(
        organizer.get(&format!("/api/v1/attendees/{id}")).await.body["newsletterSubscription"],
        false,
        "not before confirmation"
    );

    let mail = eventually(
        Duration::from_secs(30),
        "the confirmation is announced",
        || async {
            read_topic(
                &brokers(),
                &service.topic("attendees"),
                usize::MAX,
                Duration::from_secs(2),
            )
            .await
            .into_iter()
            .find(|m| m.headers["ce_type"] == "attendees.newsletter.confirmation_requested.v1")
        },
    )
    .await;
    let confirm_token = mail.payload["confirmationToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let unsubscribe_token = mail.payload["unsubscribeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = Api::anonymous(&service);
    assert_eq!(
        public
            .post("/api/v1/newsletter/confirm", &json!({"token": "forged"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let confirmed = public
        .post(
            "/api/v1/newsletter/confirm",
            &json!({"token": confirm_token}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(confirmed["status"], "confirmed");
    assert!(confirmed["confirmedAt"].is_string());
    assert_eq!(
        public
            .post(
                "/api/v1/newsletter/confirm",
                &json!({"token": confirm_token})
            )
            .await
            .status,
        StatusCode::OK,
        "following the link twice is harmless"
    );
    assert_eq!(
        organizer.get(&format!("/api/v1/attendees/{id}")).await.body["newsletterSubscription"],
        true
    );

    let ended = public
        .post(
            "/api/v1/newsletter/unsubscribe",
            &json!({"token": unsubscribe_token}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(ended["status"], "unsubscribed");
    assert_eq!(
        organizer.get(&format!("/api/v1/attendees/{id}")).await.body["newsletterSubscription"],
        false
    );
    assert_eq!(
        public
            .post(
                "/api/v1/newsletter/confirm",
                &json!({"token": confirm_token})
            )
            .await
            .status,
        StatusCode::GONE
    );
    let renewed = organizer
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"attendeeId": id, "source": "event_page"}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    assert_ne!(renewed["id"], pending["id"]);
}
