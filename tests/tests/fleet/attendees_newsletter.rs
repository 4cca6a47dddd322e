//! Newsletter double opt-in: subscribe → confirmation link (token on the bus for the mail) →
//! confirmed; one-click unsubscribe.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::{brokers, eventually, read_topic, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The confirmation and unsubscribe tokens of the first confirmation announced on the
/// bus (what the notifications context mails).
async fn link_tokens(service: &TestService) -> (String, String) {
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
    let token = |name: &str| mail.payload[name].as_str().unwrap().to_owned();
    (token("confirmationToken"), token("unsubscribeToken"))
}

/// An attendees service (beside events), an organizer's client of it and a new attendee
/// of `email` who consented to the privacy policy.
async fn reader(db: &TestDb, email: &str) -> (TestService, TestService, Api, Value) {
    let events = TestService::events(db).await;
    let service = TestService::attendees_beside(db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let attendee = organizer
        .post("/api/v1/attendees", &json!({"email": email, "firstName": "N", "lastName": "Reader", "gdprConsent": {"given": true, "policyVersion": "2026-01"}}))
        .await
        .expect(StatusCode::CREATED);
    (events, service, organizer, attendee)
}

#[tokio::test]
async fn subscriptions_need_the_confirmation_link_and_end_with_one_click() {
    let db = TestDb::create().await;
    let (_events, service, organizer, attendee) = reader(&db, "news@example.ch").await;
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

    let (confirm_token, unsubscribe_token) = link_tokens(&service).await;
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

#[tokio::test]
async fn a_confirmation_link_older_than_a_week_confirms_nothing_and_subscribing_again_starts_afresh(
) {
    let db = TestDb::create().await;
    let (_events, service, organizer, attendee) = reader(&db, "late@example.ch").await;
    let id = attendee["id"].as_str().unwrap();
    let subscribe = json!({"attendeeId": id, "source": "event_page"});
    let pending = organizer
        .post("/api/v1/newsletter/subscriptions", &subscribe)
        .await
        .expect(StatusCode::ACCEPTED);
    let (confirm_token, _) = link_tokens(&service).await;
    let admin = sqlx::PgPool::connect(&db.admin_url()).await.unwrap();
    sqlx::query("update attendees.newsletter_subscriptions set requested_at = now() - interval '8 days' where id = $1")
        .bind(pending["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap())
        .execute(&admin)
        .await
        .unwrap();

    let public = Api::anonymous(&service);
    let late = public
        .post(
            "/api/v1/newsletter/confirm",
            &json!({"token": confirm_token}),
        )
        .await
        .expect_problem(StatusCode::GONE, None);
    assert!(
        late["detail"].as_str().unwrap().contains("expired"),
        "{late}"
    );
    assert_eq!(
        organizer.get(&format!("/api/v1/attendees/{id}")).await.body["newsletterSubscription"],
        false
    );
    let renewed = organizer
        .post("/api/v1/newsletter/subscriptions", &subscribe)
        .await
        .expect(StatusCode::ACCEPTED);

    assert_ne!(renewed["id"], pending["id"], "a new request with new links");
    assert_eq!(renewed["status"], "pending");
    assert_eq!(
        public
            .post(
                "/api/v1/newsletter/confirm",
                &json!({"token": confirm_token})
            )
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the old link leads nowhere"
    );
}

#[tokio::test]
async fn an_erased_attendees_newsletter_links_lead_nowhere() {
    let db = TestDb::create().await;
    let (_events, service, organizer, attendee) = reader(&db, "gone@example.ch").await;
    let id = attendee["id"].as_str().unwrap();
    organizer
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"attendeeId": id, "source": "event_page"}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    let (confirm_token, unsubscribe_token) = link_tokens(&service).await;

    let erased = organizer.delete(&format!("/api/v1/attendees/{id}")).await;

    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    let public = Api::anonymous(&service);
    for (path, token) in [
        ("/api/v1/newsletter/confirm", &confirm_token),
        ("/api/v1/newsletter/unsubscribe", &unsubscribe_token),
    ] {
        let followed = public.post(path, &json!({"token": token})).await;
        assert_eq!(
            followed.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            followed.body
        );
    }
}
