//! Mail end to end with the real services, the real bus and the local SES endpoint: an
//! invitation (and its withdrawal), a registration confirmation and a publication
//! newsletter each arrive once, in the recipient's language, with the right variables, and
//! are logged with their SES message id.

use std::sync::Arc;
use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::planning::{evening_event, published_evening, walk_status};
use fleet_tests::upstream::{log_of, logged};
use fleet_tests::{eventually, unique, TestDb, TestService};
use notifications::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_domain::contracts::Known;
use sqlx::Connection;
use uuid::Uuid;

fn id_of(body: &Value) -> Uuid {
    body["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_invitation_reaches_the_speaker_once_in_their_language_with_the_link() {
    let db = TestDb::create().await;
    let events_service = TestService::events(&db).await;
    let companies_service = TestService::companies_beside(&db, &events_service).await;
    let speakers_service = TestService::speakers_beside(&db, &events_service).await;
    let owners = [("speakers", &speakers_service)];
    let service =
        TestService::notifications_keyed(&db, &events_service, &owners, Arc::new(SystemClock))
            .await;
    let (events, speakers, log) = (
        Api::as_roles(&events_service, &["organizer"]),
        Api::as_roles(&speakers_service, &["organizer"]),
        Api::as_roles(&service, &["organizer"]),
    );
    let company = Api::as_roles(&companies_service, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme AG", "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let inbox = format!("{}@example.ch", unique("mia"));
    let speaker = eventually(Duration::from_secs(60), "the company is known to speakers", || async {
        let body = json!({"email": inbox, "firstName": "Mia", "lastName": "Muster", "companyId": company["id"],
            "communicationPreferences": {"language": "en", "emailNotifications": true}});
        let answer = speakers.post("/api/v1/speakers", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let event = events
        .post("/api/v1/events", &evening_event(41, 100))
        .await
        .expect(StatusCode::CREATED);
    let session = events
        .post(
            &format!("/api/v1/events/{}/sessions", event["id"].as_str().unwrap()),
            &json!({"title": "Event Sourcing in Practice", "sessionType": "presentation",
                "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z", "room": "Arena"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let invitation = eventually(Duration::from_secs(60), "the session is known to speakers", || async {
        let body = json!({"speakerId": speaker["id"], "sessionId": session["id"], "role": "primary_speaker",
            "presentationTitle": "Events all the way down"});
        let answer = speakers.post("/api/v1/invitations", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let link = invitation["invitationLink"].as_str().unwrap();

    let entry = logged(&log, id_of(&speaker), "speaker_invitation", "sent").await;
    let mails = mails_to(&inbox).await;
    assert_eq!(mails.len(), 1, "exactly one mail");
    let mail = &mails[0];
    assert_eq!(entry["sesMessageId"], mail.message_id.as_str());
    assert_eq!(entry["language"], "en");
    assert_eq!(entry["templateVersion"], 1);
    assert_eq!(entry["subject"], mail.subject.as_str());
    assert!(mail.text().contains("Hello Mia Muster"), "{}", mail.text());
    assert!(
        mail.text().contains("Event Sourcing in Practice")
            && mail.text().contains("Events all the way down")
    );
    assert!(
        mail.text().contains(link),
        "the self-service link is in the mail"
    );
    let html = mail.html().replace("&#x2f;", "/").replace("&amp;", "&");
    assert!(
        html.contains(&format!("href=\"{link}\"")),
        "the link is escaped, not broken: {html}"
    );
    let shown = entry["metadata"]["variables"]["invitationLink"]
        .as_str()
        .unwrap();
    assert!(
        shown.ends_with("token=[redacted]")
            && !shown.contains(link.split("token=").nth(1).unwrap()),
        "the log does not hand out the speaker's link: {shown}"
    );
    assert!(!entry["textBody"].as_str().unwrap().contains(link));
    assert_eq!(log_of(&log, id_of(&speaker)).await.len(), 1);

    // Withdrawn before an answer: the speaker hears that the link no longer stands.
    let assignment = invitation["assignment"]["id"].as_str().unwrap();
    speakers
        .post(
            &format!("/api/v1/invitations/{assignment}/withdraw"),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    logged(&log, id_of(&speaker), "invitation_withdrawn", "sent").await;
    let mails = mails_to(&inbox).await;
    assert_eq!(mails.len(), 2, "the invitation and its withdrawal");
    let notice = mails
        .iter()
        .find(|m| m.subject == "Invitation withdrawn: Event Sourcing in Practice")
        .unwrap_or_else(|| panic!("{:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>()));
    assert!(
        notice.text().contains("Hello Mia Muster"),
        "{}",
        notice.text()
    );
}

#[tokio::test]
async fn a_registration_confirmation_reaches_the_attendee_once_in_german() {
    let db = TestDb::create().await;
    let events_service = TestService::events(&db).await;
    let attendees_service = TestService::attendees_beside(&db, &events_service).await;
    let owners = [("attendees", &attendees_service)];
    let service =
        TestService::notifications_keyed(&db, &events_service, &owners, Arc::new(SystemClock))
            .await;
    let (events, people, log) = (
        Api::as_roles(&events_service, &["organizer"]),
        Api::as_roles(&attendees_service, &["organizer"]),
        Api::as_roles(&service, &["organizer"]),
    );
    let (event_id, _, _) = published_evening(&events, 42, 50).await;
    walk_status(&events, &event_id, &["registration_open"]).await;
    let inbox = format!("{}@example.ch", unique("ben"));
    let attendee = people
        .post(
            "/api/v1/attendees",
            &json!({"email": inbox, "firstName": "Ben", "lastName": "Berner",
            "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(attendee["language"], "de");
    people
        .post(
            "/api/v1/registrations",
            &json!({"eventId": event_id, "attendeeId": attendee["id"]}),
        )
        .await
        .expect(StatusCode::CREATED);

    let entry = logged(&log, id_of(&attendee), "registration_confirmed", "sent").await;
    let mails = mails_to(&inbox).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(entry["sesMessageId"], mails[0].message_id.as_str());
    assert_eq!(entry["language"], "de");
    let text = mails[0].text();
    assert!(
        text.contains("Ben Berner") && text.contains("Cloud Native Architecture"),
        "{text}"
    );
    assert!(
        text.contains("12.03.2027 17:00"),
        "the date as read in Bern: {text}"
    );
    assert_eq!(log_of(&log, id_of(&attendee)).await.len(), 1);
}

async fn subscription_of(db: &TestDb, attendee: Uuid) -> Option<String> {
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query_scalar(
        "select status from notifications.newsletter_subscribers where attendee_id = $1",
    )
    .bind(attendee)
    .fetch_optional(&mut admin)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_published_event_sends_the_newsletter_once_to_confirmed_subscribers_only() {
    let db = TestDb::create().await;
    let events_service = TestService::events(&db).await;
    let attendees_service = TestService::attendees_beside(&db, &events_service).await;
    let owners = [("attendees", &attendees_service)];
    let service =
        TestService::notifications_keyed(&db, &events_service, &owners, Arc::new(SystemClock))
            .await;
    let (events, people, log) = (
        Api::as_roles(&events_service, &["organizer"]),
        Api::as_roles(&attendees_service, &["organizer"]),
        Api::as_roles(&service, &["organizer"]),
    );
    let mut readers = Vec::new();
    for (name, language) in [("anna", "en"), ("carl", "de")] {
        let inbox = format!("{}@example.ch", unique(name));
        let attendee = people
            .post(
                "/api/v1/attendees",
                &json!({"email": inbox, "firstName": name, "lastName": "Reader",
                "language": language, "gdprConsent": {"given": true, "policyVersion": "2026-01"}}),
            )
            .await
            .expect(StatusCode::CREATED);
        people
            .post(
                "/api/v1/newsletter/subscriptions",
                &json!({"attendeeId": attendee["id"], "source": "event_page"}),
            )
            .await
            .expect(StatusCode::ACCEPTED);
        readers.push((id_of(&attendee), inbox));
    }
    let (anna, anna_inbox) = readers[0].clone();
    let (carl, carl_inbox) = readers[1].clone();

    let confirmation = &wait_for_mails(&anna_inbox, 1).await[0];
    assert!(
        confirmation.subject.to_lowercase().contains("newsletter"),
        "{}",
        confirmation.subject
    );
    let token = confirmation
        .text()
        .split("confirm?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the mail carries the confirmation link")
        .to_owned();
    people
        .post("/api/v1/newsletter/confirm", &json!({"token": token}))
        .await
        .expect(StatusCode::OK);
    wait_for_mails(&carl_inbox, 1).await;
    eventually(
        Duration::from_secs(60),
        "notifications knows the confirmation",
        || async {
            (subscription_of(&db, anna).await.as_deref() == Some("confirmed")).then_some(())
        },
    )
    .await;

    let (event_id, _, _) = published_evening(&events, 43, 80).await;
    let entry = logged(&log, anna, "event_published", "sent").await;
    let mails = mails_to(&anna_inbox).await;
    assert_eq!(mails.len(), 2, "the confirmation and one newsletter");
    let newsletter = &mails[1];
    assert_eq!(entry["sesMessageId"], newsletter.message_id.as_str());
    assert_eq!(entry["language"], "en");
    assert!(newsletter.text().contains("Cloud Native Architecture"));
    assert!(newsletter
        .text()
        .contains(&format!("/api/v1/events/{event_id}/agenda")));
    assert_eq!(
        log_of(&log, carl).await.len(),
        1,
        "the unconfirmed reader got only the confirmation request"
    );
    assert_eq!(mails_to(&carl_inbox).await.len(), 1);
}

#[tokio::test]
async fn every_registration_outcome_and_speaker_answer_reaches_the_right_person() {
    use shared_domain::contracts::attendees::{
        AttendeeProfileChangedV1, RegistrationStatusChanged,
    };
    use shared_domain::contracts::events::EventPublished;
    use shared_domain::contracts::speakers::SpeakerDeclined;

    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let log = Api::as_roles(&service, &["organizer"]);
    let upstream = fleet_tests::upstream::Upstream::of(&service);
    let bus = fleet_tests::producer(&fleet_tests::brokers());
    let prefix = service.topic_prefix.clone();
    let event_id = Uuid::now_v7();
    let published = EventPublished {
        event_id,
        event_number: 44,
        title: "Resilient Systems".into(),
        event_date: "2027-06-10T16:00:00Z".parse().unwrap(),
        registration_deadline: "2027-06-08T21:59:00Z".parse().unwrap(),
        capacity: 100,
        published_at: chrono::Utc::now(),
        sessions: Vec::new(),
    };
    fleet_tests::publish(&bus, &prefix, &published).await;
    let attendee_id = Uuid::now_v7();
    let inbox = format!("{}@example.ch", unique("rita"));
    let profile = AttendeeProfileChangedV1 {
        attendee_id,
        email: inbox.clone(),
        first_name: "Rita".into(),
        last_name: "Register".into(),
        language: Known::named("en"),
        changed_at: chrono::Utc::now(),
    };
    fleet_tests::publish(&bus, &prefix, &profile).await;
    let registration_id = Uuid::now_v7();
    for (status, reason) in [
        ("registered", None),
        ("waitlisted", None),
        ("confirmed", Some("promoted from the waitlist")),
        ("cancelled", None),
        ("rejected", Some("closed")),
    ] {
        let changed = RegistrationStatusChanged {
            registration_id,
            event_id,
            attendee_id,
            status: Known::named(status),
            reason: reason.map(str::to_owned),
            changed_at: chrono::Utc::now(),
            company_id: None,
        };
        fleet_tests::publish(&bus, &prefix, &changed).await;
    }
    let mails = wait_for_mails(&inbox, 4).await;
    let entries = eventually(
        Duration::from_secs(60),
        "four outcomes are logged as sent",
        || async {
            let entries = log_of(&log, attendee_id).await;
            (entries.len() == 4 && entries.iter().all(|e| e["deliveryStatus"] == "sent"))
                .then_some(entries)
        },
    )
    .await;
    let mut kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["notificationType"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "registration_cancelled",
            "registration_promoted",
            "registration_rejected",
            "registration_waitlisted"
        ]
    );
    assert!(mails.iter().all(|m| m.text().contains("Resilient Systems")));
    let rejected = entries
        .iter()
        .find(|e| e["notificationType"] == "registration_rejected")
        .unwrap();
    assert_eq!(rejected["metadata"]["variables"]["reason"], "closed");

    let organizer_id = Uuid::now_v7();
    let organizer_inbox = format!("{}@example.ch", unique("olga"));
    log.put(
        &format!("/api/v1/notification-preferences/{organizer_id}/contact"),
        &json!({"email": organizer_inbox, "displayName": "Olga Organizer", "language": "de"}),
    )
    .await
    .expect(StatusCode::OK);
    upstream.organizer(organizer_id, event_id).await;
    fleet_tests::upstream::organizer_known(&db, organizer_id).await;
    let speaker_id = upstream
        .speaker(&format!("{}@example.ch", unique("sven")), "Sven", "en")
        .await;
    let assignment = upstream
        .assigned(speaker_id, event_id, "Chaos Engineering")
        .await;
    let declined = SpeakerDeclined {
        assignment_id: assignment.assignment_id,
        speaker_id,
        session_id: assignment.session_id,
        event_id,
        reason: Some("Parental leave".into()),
        declined_at: chrono::Utc::now(),
    };
    fleet_tests::publish(&bus, &prefix, &declined).await;
    let entry = logged(&log, organizer_id, "speaker_declined", "sent").await;
    assert_eq!(entry["language"], "de");
    let mail = &mails_to(&organizer_inbox).await[0];
    assert!(
        mail.text().contains("Sven Muster")
            && mail.text().contains("Chaos Engineering")
            && mail.text().contains("Parental leave")
    );
}
