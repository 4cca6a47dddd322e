//! Partner meetings with the real bus and SES endpoint: every active partner's primary
//! contact is invited by mail in their language, partners answer until the meeting starts,
//! organizers record attendance afterwards and produce the meeting pack; analytics follow
//! attendance recorded by the attendees context.

use fleet_tests::mail::wait_for_mails;
use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::{brokers, producer, publish, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;

#[tokio::test]
async fn invitations_answers_attendance_and_the_meeting_pack() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let run = Uuid::now_v7().simple().to_string();
    let (acme, bern) = (
        fleet.company("Acme AG").await,
        fleet.company("Bern IT").await,
    );
    let (gold, silver) = (
        fleet.partner(acme, "gold").await,
        fleet.partner(bern, "silver").await,
    );
    let anna = format!("anna.{run}@acme.ch");
    let ben = format!("ben.{run}@bern-it.ch");
    for (partner, company, email, language) in
        [(gold, acme, &anna, "de"), (silver, bern, &ben, "en")]
    {
        fleet
            .partner_of(company)
            .post(
                &format!("/api/v1/partners/{partner}/contacts"),
                &json!({"firstName": "First", "lastName": "Contact", "email": email, "role": "CTO", "language": language, "isPrimary": true}),
            )
            .await
            .expect(StatusCode::CREATED);
    }
    let organizer = fleet.organizer(&fleet.partners);
    let at = chrono::Utc::now() + chrono::Duration::days(30);
    let meeting = organizer
        .post(
            "/api/v1/partner-meetings",
            &json!({"meetingType": "spring", "title": "Frühjahrstreffen", "scheduledAt": at, "location": "Bern", "agenda": "Themen 2027"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(meeting["invitations"].as_array().unwrap().len(), 2);
    let id = id_of(&meeting);
    let german = wait_for_mails(&anna, 1).await;
    assert!(
        german[0].subject.starts_with("Einladung: Frühjahrstreffen"),
        "{}",
        german[0].subject
    );
    assert!(german[0].text().contains("Acme AG"));
    let english = wait_for_mails(&ben, 1).await;
    assert!(
        english[0]
            .subject
            .starts_with("Invitation: Frühjahrstreffen"),
        "{}",
        english[0].subject
    );

    // Answers until the meeting starts; attendance only afterwards.
    let rsvp = format!("/api/v1/partner-meetings/{id}/rsvp");
    let answer = fleet
        .partner_of(acme)
        .put(&rsvp, &json!({"status": "accepted"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(answer["rsvpStatus"], "accepted");
    fleet
        .partner_of(bern)
        .put(&rsvp, &json!({"status": "invited"}))
        .await
        .expect_problem(StatusCode::CONFLICT, None);
    let attendance = format!("/api/v1/partner-meetings/{id}/attendance/{gold}");
    organizer
        .put(&attendance, &json!({"attended": true}))
        .await
        .expect_problem(StatusCode::CONFLICT, None);
    // The meeting's hour comes.
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query("update partners.partner_meetings set scheduled_at = now() - interval '1 hour' where id = $1")
        .bind(id)
        .execute(&mut admin)
        .await
        .unwrap();
    fleet
        .partner_of(bern)
        .put(&rsvp, &json!({"status": "tentative"}))
        .await
        .expect_problem(StatusCode::CONFLICT, None);
    organizer
        .put(&attendance, &json!({"attended": true}))
        .await
        .expect(StatusCode::OK);
    let seen = fleet
        .partner_of(bern)
        .get(&format!("/api/v1/partner-meetings/{id}"))
        .await
        .expect(StatusCode::OK);
    let invitations = seen["invitations"].as_array().unwrap();
    assert_eq!(
        (invitations.len(), invitations[0]["rsvpStatus"].as_str()),
        (1, Some("invited"))
    );

    // Attendance recorded by the attendees context reaches the analytics.
    let (event, producer) = (Uuid::now_v7(), producer(&brokers()));
    for (n, attended) in [true, true, false].into_iter().enumerate() {
        let recorded = shared_domain::contracts::attendees::AttendanceRecorded {
            registration_id: Uuid::now_v7(),
            event_id: event,
            attendee_id: Uuid::now_v7(),
            company_id: Some(acme),
            attended,
            recorded_at: chrono::Utc::now() + chrono::Duration::milliseconds(n as i64),
        };
        publish(&producer, &fleet.partners.topic_prefix, &recorded).await;
    }
    let portal = fleet.partner_of(acme);
    let analytics = fleet_tests::eventually(
        std::time::Duration::from_secs(20),
        "all three records reach analytics",
        || async {
            let body = portal
                .get(&format!("/api/v1/partners/{gold}/analytics"))
                .await
                .body;
            let recorded = body["attendancePerEvent"][0]["registrationsRecorded"] == 3;
            recorded.then_some(body)
        },
    )
    .await;
    assert_eq!(analytics["totalEmployeeAttendanceAllEvents"], 2);
    assert_eq!(analytics["averageAttendancePerEvent"], 2.0);
    assert_eq!(analytics["contentEngagementScore"], 66.67);
    let csv = portal
        .get(&format!("/api/v1/partners/{gold}/analytics?format=csv"))
        .await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv
        .body
        .as_str()
        .unwrap()
        .contains("summary,,totalEmployeeAttendanceAllEvents,2\r\n"));

    // The meeting pack: one part per invited partner; each partner sees its own.
    let pack = organizer
        .post(
            &format!("/api/v1/partner-meetings/{id}/materials"),
            &json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(pack.as_array().unwrap().len(), 2);
    let own = portal
        .get(&format!("/api/v1/partner-meetings/{id}/materials"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["analytics"]["totalEmployeeAttendanceAllEvents"], 2);
    let after = organizer
        .get(&format!("/api/v1/partner-meetings/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(after["materialsGenerated"], true);
}
