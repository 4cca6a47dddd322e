//! The partners' journey through the gateway alone: organizers make two companies partners
//! (gold and bronze); their portal integrations keep their contacts, vote on a topic (the
//! events API shows the tier-weighted influence score) and suggest one that organizers
//! accept into the library; the meeting invitation reaches each primary contact in their
//! language, and the gold partner's webhook receives it signed; attendance recorded for
//! the gold company's employees shows in its analytics.

use fleet_tests::api::Api;
use fleet_tests::planning::{published_evening, walk_status};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::gateway::{Caller, SubjectIds};
use crate::{until, Journey};

/// A company made a partner of `tier`, its portal caller and its partner id.
pub(crate) async fn partner(journey: &Journey, name: &str, tier: &str) -> (Uuid, Caller, String) {
    let o = &journey.organizer;
    let company = o
        .post(
            "/api/v1/companies",
            &json!({"name": format!("{name} {}", journey.run), "industry": "Consulting"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let company_id: Uuid = company["id"].as_str().unwrap().parse().unwrap();
    let start = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let created = o
        .post("/api/v1/partners", &json!({"companyId": company_id, "partnershipLevel": tier, "partnershipStartDate": start}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["isActive"], true);
    let ids = SubjectIds {
        company: Some(company_id),
        ..SubjectIds::default()
    };
    let portal = journey
        .public
        .with_token(&format!("portal-{company_id}"), &["partner"], ids);
    (
        company_id,
        portal,
        created["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn partners_vote_suggest_meet_and_read_their_analytics_through_the_gateway() {
    let mut journey = Journey::start();
    let (gold_company, gold, gold_id) = partner(&journey, "Gold Partner AG", "gold").await;
    let (_, bronze, bronze_id) = partner(&journey, "Bronze Partner GmbH", "bronze").await;
    let (greta, bruno) = (journey.address("greta"), journey.address("bruno"));
    for (portal, id, inbox, language) in [
        (&gold, &gold_id, &greta, "de"),
        (&bronze, &bronze_id, &bruno, "en"),
    ] {
        portal
            .post(
                &format!("/api/v1/partners/{id}/contacts"),
                &json!({"firstName": "Primary", "lastName": "Contact", "email": inbox, "role": "Head of Engineering", "language": language, "isPrimary": true}),
            )
            .await
            .expect(StatusCode::CREATED);
    }
    // Another partner's data does not exist for a portal.
    let foreign = bronze
        .get(&format!("/api/v1/partners/{gold_id}/contacts"))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // Votes: gold 5 (weight 2), bronze 1 (weight 1) → 100 × 8 ÷ 12.
    let o = journey.organizer.clone();
    let topic = o
        .post("/api/v1/topics", &json!({"title": format!("Modular monoliths {}", journey.run), "category": "technical"}))
        .await
        .expect(StatusCode::CREATED);
    let topic_id = topic["id"].as_str().unwrap().to_owned();
    for (portal, value) in [(&gold, 5), (&bronze, 1)] {
        portal
            .put(
                &format!("/api/v1/topic-votes/{topic_id}"),
                &json!({"value": value}),
            )
            .await
            .expect(StatusCode::OK);
    }
    let topic_path = format!("/api/v1/topics/{topic_id}");
    until(
        "the influence score",
        async || o.get(&topic_path).await.body,
        |t| t["partnerInfluenceScore"] == 66.67,
    )
    .await;

    // A suggestion accepted into the library, voted on, then used by an event.
    let suggestion = gold
        .post("/api/v1/topic-suggestions", &json!({"title": format!("Data mesh in practice {}", journey.run), "category": "industry_trends"}))
        .await
        .expect(StatusCode::CREATED);
    let suggestion_path = format!(
        "/api/v1/topic-suggestions/{}",
        suggestion["id"].as_str().unwrap()
    );
    let accepted = o
        .post_current(
            &suggestion_path,
            &format!("{suggestion_path}/decision"),
            &json!({"status": "accepted"}),
        )
        .await
        .expect(StatusCode::OK);
    let library_path = format!("/api/v1/topics/{}", accepted["topicId"].as_str().unwrap());
    until(
        "the suggested topic in the library",
        async || {
            let answer = o.get(&library_path).await;
            json!(answer.status.as_u16())
        },
        |status| *status == 200,
    )
    .await;
    gold.put(
        &format!(
            "/api/v1/topic-votes/{}",
            accepted["topicId"].as_str().unwrap()
        ),
        &json!({"value": 4}),
    )
    .await
    .expect(StatusCode::OK);

    // The gold partner's integration subscribes its receiver to meeting invitations.
    let receiver = fleet_tests::webhooks::Receiver::default();
    let hook = receiver.start().await;
    let subscribed = gold
        .post(
            &format!("/api/v1/partners/{gold_id}/webhooks"),
            &json!({"url": hook, "eventTypes": ["partners.meeting.invited.v1"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    *receiver.secret.lock().unwrap() = subscribed["secret"].as_str().unwrap().to_owned();

    // The partner meeting: one invitation per primary contact, in their language.
    let at = chrono::Utc::now() + chrono::Duration::days(60);
    let meeting = o
        .post("/api/v1/partner-meetings", &json!({"meetingType": "autumn", "title": format!("Herbsttreffen {}", journey.run), "scheduledAt": at, "location": "Bern", "agenda": "Themen und Rückblick"}))
        .await
        .expect(StatusCode::CREATED);
    journey.mail(&greta, "Einladung: Herbsttreffen").await;
    journey.mail(&bruno, "Invitation: Herbsttreffen").await;
    let delivered = until(
        "the invitation reaches the gold partner's webhook",
        async || {
            json!(receiver
                .received()
                .iter()
                .map(|r| json!({"verified": r.verified, "body": r.body}))
                .collect::<Vec<_>>())
        },
        |got| got.as_array().unwrap().len() == 1,
    )
    .await;
    assert_eq!(
        delivered[0]["verified"], true,
        "signed with the partner's secret"
    );
    assert_eq!(delivered[0]["body"]["type"], "partners.meeting.invited.v1");
    assert_eq!(delivered[0]["body"]["data"]["meetingId"], meeting["id"]);
    let answered = gold
        .put(
            &format!(
                "/api/v1/partner-meetings/{}/rsvp",
                meeting["id"].as_str().unwrap()
            ),
            &json!({"status": "accepted"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(answered["rsvpStatus"], "accepted");

    // Scripted registrations of the gold company's employees: two of three attended.
    let planner = Api::at(&journey.fleet.gateway, Some(o.token().to_owned()));
    let number = 1_000 + (Uuid::now_v7().as_u128() % 90_000) as i32;
    let (event_id, sessions, _) = published_evening(&planner, number, 10).await;
    walk_status(&planner, &event_id, &["registration_open"]).await;
    o.post(
        &format!("/api/v1/events/{event_id}/topics"),
        &json!({"topicId": accepted["topicId"]}),
    )
    .await
    .expect(StatusCode::CREATED);
    let (mut registrations, mut employees) = (Vec::new(), Vec::new());
    for n in 0..3 {
        let attendee = o
            .post("/api/v1/attendees", &json!({"email": journey.address(&format!("employee{n}")), "firstName": "Employee", "lastName": format!("{n}"), "companyId": gold_company, "gdprConsent": {"given": false}}))
            .await
            .expect(StatusCode::CREATED);
        let registration = o
            .post(
                "/api/v1/registrations",
                &json!({"eventId": event_id, "attendeeId": attendee["id"]}),
            )
            .await
            .expect(StatusCode::CREATED);
        let path = format!(
            "/api/v1/registrations/{}",
            registration["id"].as_str().unwrap()
        );
        until(
            "a confirmed seat",
            async || o.get(&path).await.body,
            |r| r["status"] == "confirmed",
        )
        .await;
        journey
            .mail(&journey.address(&format!("employee{n}")), "")
            .await;
        registrations.push(path);
        employees.push(attendee["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    for (path, attended) in registrations.iter().zip([true, true, false]) {
        o.put(
            &format!("{path}/attendance"),
            &json!({"attended": attended}),
        )
        .await
        .expect(StatusCode::OK);
    }
    let analytics_path = format!("/api/v1/partners/{gold_id}/analytics");
    until(
        "the attendance in the analytics",
        async || gold.get(&analytics_path).await.body,
        |a| {
            a["totalEmployeeAttendanceAllEvents"] == 2
                && a["contentEngagementScore"] == 66.67
                && a["topicInfluenceScore"] == 42.86
        },
    )
    .await;
    // An employee downloads the published slides: a material download of the company.
    download_published_slides(&journey, &sessions[0], employees[0]).await;
    let analytics = until(
        "the download in the analytics",
        async || gold.get(&analytics_path).await.body,
        |a| a["materialDownloads"] == 1,
    )
    .await;
    let events = analytics["eventsWithAttendance"].as_i64().unwrap() as f64;
    assert_eq!(
        analytics["averageAttendancePerEvent"],
        ((200.0 / events).round() / 100.0)
    );
    let suggestion = until(
        "the suggestion implemented",
        async || gold.get(&suggestion_path).await.body,
        |s| s["status"] == "implemented",
    )
    .await;
    assert!(suggestion["implementedAt"].is_string());
    let csv = gold
        .send(
            Method::GET,
            &format!("{analytics_path}?format=csv"),
            None,
            &[],
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text
            .contains("summary,,totalEmployeeAttendanceAllEvents,2\r\n"),
        "{}",
        csv.text
    );
    assert_eq!(
        bronze.get(&analytics_path).await.status,
        StatusCode::NOT_FOUND
    );

    crate::every_mail_arrived_once(&journey).await;
}

/// Organizers publish slides of `session`; the employee `attendee` downloads them.
async fn download_published_slides(journey: &Journey, session: &str, attendee: Uuid) {
    let o = &journey.organizer;
    let slides = fleet_tests::content::pdf(2_000, 3);
    let declared = fleet_tests::content::declaration(
        "slides.pdf",
        "presentation",
        "application/pdf",
        &slides,
        json!({"sessionId": session}),
    );
    let link = o
        .post("/api/v1/files", &declared)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        fleet_tests::content::put(&link, slides).await,
        StatusCode::OK
    );
    let file = link["fileId"].as_str().unwrap();
    let confirmed = o
        .post(
            &format!("/api/v1/files/{file}/confirm"),
            &json!({"checksum": declared["checksum"]}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(confirmed["uploadStatus"], "completed");
    o.post(
        &format!("/api/v1/session-materials/{session}/publication"),
        &json!({"published": true}),
    )
    .await
    .expect(StatusCode::OK);
    let ids = SubjectIds {
        attendee: Some(attendee),
        ..SubjectIds::default()
    };
    let employee = journey
        .public
        .with_token(&format!("attendee-{attendee}"), &["attendee"], ids);
    employee
        .get(&format!("/api/v1/files/{file}/download"))
        .await
        .expect(StatusCode::OK);
}
