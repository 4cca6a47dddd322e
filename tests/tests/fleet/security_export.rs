//! A person's export gathers, in one answer, what every context holds about them: the
//! owning service's records and, by service, the rows the events and notifications contexts
//! keep. Only the person and organizers get it; while a holder does not answer the export is
//! refused rather than incomplete.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::people::PeopleFleet;
use fleet_tests::services::{claims, token_of_speaker, TEST_SECRET};
use fleet_tests::{eventually, unique, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};
use service_kit::auth::{mint_hs256, Claims};
use uuid::Uuid;

fn attendee_token(id: Uuid) -> String {
    mint_hs256(
        TEST_SECRET,
        &Claims {
            attendee_id: Some(id),
            ..claims(&format!("attendee-{id}"), &["attendee"])
        },
    )
}

/// The export of `path` as `caller`, once the notifications directory knows the person.
async fn export_with_contact(caller: &Api, path: &str, email: &str) -> Value {
    eventually(
        Duration::from_secs(90),
        "the directory knows the person",
        || async {
            let export = caller.get(path).await.expect(StatusCode::OK);
            let contact = &export["elsewhere"]["notifications"]["recipients"][0]["email"];
            (contact == email).then_some(export)
        },
    )
    .await
}

#[tokio::test]
async fn attendees_and_speakers_get_everything_held_about_them_in_one_answer() {
    let db = TestDb::create().await;
    let fleet = PeopleFleet::start(&db).await;
    let email = format!("{}@example.ch", unique("export"));
    let created = Api::as_roles(&fleet.attendees, &["organizer"])
        .post(
            "/api/v1/attendees",
            &json!({"email": email, "firstName": "Ex", "lastName": "Port",
                "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/attendees/{id}/export");
    let themself = Api::at(&fleet.attendees.base_url, Some(attendee_token(id)));
    let subscribed = themself
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"source": "event_page"}),
        )
        .await;
    assert!(subscribed.status.is_success(), "{:?}", subscribed.body);
    let rating = json!({"contentType": "session", "contentId": Uuid::now_v7(),
        "engagementType": "rating", "value": 4.5});
    let rated = themself
        .post(&format!("/api/v1/attendees/{id}/engagements"), &rating)
        .await;
    assert_eq!(rated.status, StatusCode::NO_CONTENT, "{:?}", rated.body);
    let export = export_with_contact(&themself, &path, &email).await;
    let subscription = &export["held"]["newsletter_subscriptions"][0];
    assert_eq!(subscription["status"], "pending", "{export}");
    assert_eq!(subscription["confirmation_token_hash"], "[redacted]");
    assert_eq!(
        export["held"]["content_engagement"][0]["engagement_value"],
        4.5
    );
    assert_eq!(export["attendee"]["email"], email.as_str());
    assert!(export["elsewhere"]["events"]["seat_reservations"].is_array());
    assert!(export["elsewhere"]["notifications"]["notification_log"].is_array());
    assert!(export["elsewhere"]["partners"]["employee_attendance"].is_array());
    assert_eq!(export["held"]["email_changes"], json!([]));
    let stranger = Api::at(
        &fleet.attendees.base_url,
        Some(attendee_token(Uuid::now_v7())),
    );
    assert_eq!(stranger.get(&path).await.status, StatusCode::FORBIDDEN);

    let company = Api::as_roles(&fleet.companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Export AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let speaker_email = format!("{}@example.ch", unique("speaker-export"));
    let body = json!({"email": speaker_email, "firstName": "Sp", "lastName": "Eaker", "companyId": company["id"]});
    let organizer = Api::as_roles(&fleet.speakers, &["organizer"]);
    let speaker = eventually(Duration::from_secs(60), "the company is known", || async {
        let answer = organizer.post("/api/v1/speakers", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let speaker_id = speaker["id"].as_str().unwrap();
    let path = format!("/api/v1/speakers/{speaker_id}/export");
    let themself = Api::at(&fleet.speakers.base_url, Some(token_of_speaker(speaker_id)));
    let export = export_with_contact(&themself, &path, &speaker_email).await;
    assert_eq!(export["speaker"]["email"], speaker_email.as_str());
    assert!(export["held"]["session_speakers"].is_array());
    assert!(export["elsewhere"]["events"]["session_speakers"].is_array());
    let other = Api::at(
        &fleet.speakers.base_url,
        Some(token_of_speaker(&Uuid::now_v7().to_string())),
    );
    assert_eq!(other.get(&path).await.status, StatusCode::FORBIDDEN);

    // Without the notifications context the export would be incomplete: it is refused.
    fleet.notifications.stop().await;
    let refused = themself.get(&path).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .contains("notifications"));
}
