//! Mail timing with a controlled clock: quiet hours, digests and the three escalation tiers
//! (with a restart between tiers), through the real bus and the local SES endpoint.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use fleet_tests::api::Api;
use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::services::{mail_settings, token_of_speaker};
use fleet_tests::upstream::{log_of, logged, organizer_known, settle, Upstream};
use fleet_tests::{eventually, unique, TestDb, TestService};
use notifications::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::json;
use shared_domain::contracts::Known;
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn address(name: &str) -> String {
    format!("{}@example.ch", unique(name))
}

async fn entries(api: &Api, recipient: Uuid, notification_type: &str) -> usize {
    log_of(api, recipient)
        .await
        .iter()
        .filter(|n| n["notificationType"] == notification_type)
        .count()
}

#[tokio::test]
async fn mail_inside_quiet_hours_goes_out_when_they_end_and_mandatory_mail_goes_at_once() {
    // 23:30 in Bern.
    let clock = Arc::new(ManualClock::at(at("2026-11-25T22:30:00Z")));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let inbox = address("mia");
    let speaker_id = upstream.speaker(&inbox, "Mia", "de").await;
    let speaker = Api::at(
        &service.base_url,
        Some(token_of_speaker(&speaker_id.to_string())),
    );
    speaker
        .put(
            &format!("/api/v1/notification-preferences/{speaker_id}/email/all"),
            &json!({"isEnabled": true, "quietHoursStart": "22:00", "quietHoursEnd": "07:00"}),
        )
        .await
        .expect(StatusCode::OK);

    let received = upstream
        .assigned(speaker_id, Uuid::now_v7(), "Zero Trust Networks")
        .await;
    upstream.submit(&received, 1).await;
    let waiting = logged(
        &organizer,
        speaker_id,
        "material_received_confirmation",
        "pending",
    )
    .await;
    assert_eq!(
        waiting["sendAfter"], "2026-11-26T06:00:00Z",
        "07:00 in Bern"
    );

    let review = upstream
        .assigned(speaker_id, Uuid::now_v7(), "Data Mesh Lessons")
        .await;
    upstream
        .request_changes(&review, at("2026-12-01T12:00:00Z"))
        .await;
    let mails = wait_for_mails(&inbox, 1).await;
    assert!(
        mails[0].text().contains("Please add the lessons learned"),
        "the request for changes is mandatory and went at once"
    );
    settle(&clock).await;
    assert_eq!(
        mails_to(&inbox).await.len(),
        1,
        "the confirmation still waits"
    );

    clock.set(at("2026-11-26T06:00:00Z"));
    let mails = wait_for_mails(&inbox, 2).await;
    assert!(mails[1].text().contains("Zero Trust Networks"));
    let sent = logged(
        &organizer,
        speaker_id,
        "material_received_confirmation",
        "sent",
    )
    .await;
    assert_eq!(sent["sentAt"], "2026-11-26T06:00:00Z");
}

#[tokio::test]
async fn a_daily_digest_gathers_the_days_notifications_into_one_mail_at_eight() {
    // Wednesday 10:00 in Bern.
    let clock = Arc::new(ManualClock::at(at("2026-11-25T09:00:00Z")));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let inbox = address("tom");
    let speaker_id = upstream.speaker(&inbox, "Tom", "en").await;
    organizer
        .put(
            &format!("/api/v1/notification-preferences/{speaker_id}/email/all"),
            &json!({"isEnabled": true, "frequency": "daily_digest"}),
        )
        .await
        .expect(StatusCode::OK);

    let event_id = Uuid::now_v7();
    for title in ["Zero Trust Networks", "Data Mesh Lessons"] {
        let assignment = upstream.assigned(speaker_id, event_id, title).await;
        upstream.submit(&assignment, 1).await;
    }
    eventually(
        Duration::from_secs(60),
        "both are held for the digest",
        || async {
            let held = log_of(&organizer, speaker_id).await;
            (held
                .iter()
                .filter(|n| n["deliveryStatus"] == "held")
                .count()
                == 2)
                .then_some(())
        },
    )
    .await;
    clock.set(at("2026-11-26T06:59:00Z"));
    settle(&clock).await;
    assert!(mails_to(&inbox).await.is_empty(), "nothing before 08:00");

    clock.set(at("2026-11-26T07:00:00Z"));
    let mails = wait_for_mails(&inbox, 1).await;
    let digest = &mails[0];
    assert!(digest.subject.contains('2'), "{}", digest.subject);
    assert!(
        digest.text().contains("Zero Trust Networks")
            && digest.text().contains("Data Mesh Lessons")
    );
    let sent = logged(&organizer, speaker_id, "digest", "sent").await;
    let log = log_of(&organizer, speaker_id).await;
    let gathered: Vec<_> = log
        .iter()
        .filter(|n| n["notificationType"] == "material_received_confirmation")
        .collect();
    assert_eq!(gathered.len(), 2);
    assert!(gathered
        .iter()
        .all(|n| n["deliveryStatus"] == "digested" && n["digestId"] == sent["id"]));
    settle(&clock).await;
    assert_eq!(mails_to(&inbox).await.len(), 1);
}

#[tokio::test]
async fn deadline_reminders_come_in_three_tiers_then_backups_are_alerted_and_a_restart_repeats_nothing(
) {
    let deadline = at("2027-03-01T12:00:00Z");
    let clock = Arc::new(ManualClock::at(at("2027-02-26T12:00:00Z")));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();

    let backup_id = Uuid::now_v7();
    let backup_inbox = address("bea");
    organizer
        .put(
            &format!("/api/v1/notification-preferences/{backup_id}/contact"),
            &json!({"email": backup_inbox, "displayName": "Bea Backup", "language": "en"}),
        )
        .await
        .expect(StatusCode::OK);
    upstream.organizer(backup_id, event_id).await;
    organizer_known(&db, backup_id).await;
    let rule = json!({"eventId": event_id, "ruleType": "speaker_deadline", "tier1HoursBefore": 48,
        "tier2HoursBefore": 24, "tier3HoursBefore": 2, "escalationThreshold": 60,
        "backupOrganizerIds": [backup_id], "materialDeadline": deadline});
    organizer
        .post("/api/v1/escalation-rules", &rule)
        .await
        .expect(StatusCode::CREATED);

    let late_inbox = address("late");
    let late_id = upstream.speaker(&late_inbox, "Lena", "de").await;
    let late = upstream
        .assigned(late_id, event_id, "Zero Trust Networks")
        .await;
    let punctual_id = upstream.speaker(&address("punctual"), "Paul", "en").await;
    let punctual = upstream
        .assigned(punctual_id, event_id, "Data Mesh Lessons")
        .await;
    upstream.accept(&late).await;
    upstream.accept(&punctual).await;
    eventually(
        Duration::from_secs(60),
        "organizers hear of both acceptances",
        || async { (entries(&organizer, backup_id, "speaker_accepted").await == 2).then_some(()) },
    )
    .await;

    clock.set(at("2027-02-27T11:59:00Z"));
    settle(&clock).await;
    assert_eq!(
        entries(&organizer, late_id, "deadline_reminder_48h").await,
        0
    );

    clock.set(at("2027-02-27T12:00:00Z"));
    logged(&organizer, late_id, "deadline_reminder_48h", "sent").await;
    logged(&organizer, punctual_id, "deadline_reminder_48h", "sent").await;
    upstream.submit(&punctual, 1).await;
    logged(
        &organizer,
        punctual_id,
        "material_received_confirmation",
        "sent",
    )
    .await;

    clock.set(at("2027-02-28T12:00:00Z"));
    let second = logged(&organizer, late_id, "deadline_reminder_24h", "sent").await;
    assert_eq!(second["language"], "de");
    settle(&clock).await;
    assert_eq!(
        entries(&organizer, punctual_id, "deadline_reminder_24h").await,
        0,
        "submission stops the chain"
    );

    let (database_url, prefix) = service.crash().await;
    let service =
        TestService::notifications_with(database_url, prefix, mail_settings(), clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    settle(&clock).await;
    assert_eq!(
        entries(&organizer, late_id, "deadline_reminder_24h").await,
        1,
        "no tier twice after a restart"
    );

    clock.set(at("2027-03-01T10:00:00Z"));
    let critical = logged(&organizer, late_id, "deadline_critical", "sent").await;
    assert_eq!(critical["metadata"]["variables"]["hoursLeft"], 2);
    clock.set(at("2027-03-01T10:59:00Z"));
    settle(&clock).await;
    assert_eq!(
        entries(&organizer, backup_id, "deadline_escalation").await,
        0
    );

    clock.set(at("2027-03-01T11:00:00Z"));
    logged(&organizer, backup_id, "deadline_escalation", "sent").await;
    let alerts = wait_for_mails(&backup_inbox, 3).await;
    let alert = alerts
        .iter()
        .find(|m| m.text().contains(&late_inbox))
        .expect("the alert names the speaker's address");
    assert!(alert.text().contains("Lena Muster") && alert.text().contains("Zero Trust Networks"));

    clock.set(at("2027-03-02T12:00:00Z"));
    settle(&clock).await;
    let reminders = mails_to(&late_inbox).await;
    assert_eq!(reminders.len(), 3, "tier 1, 2 and 3, once each");
    assert_eq!(
        entries(&organizer, punctual_id, "deadline_critical").await,
        0
    );
    assert_eq!(
        entries(&organizer, backup_id, "deadline_escalation").await,
        1
    );
}

#[tokio::test]
async fn escalation_rules_are_validated_unique_per_event_and_updated_with_if_match() {
    let clock = Arc::new(ManualClock::at(at("2027-02-01T12:00:00Z")));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event_id = Uuid::now_v7();
    let rule = |t1: i32, t2: i32, t3: i32| {
        json!({"eventId": event_id, "ruleType": "speaker_deadline", "tier1HoursBefore": t1,
            "tier2HoursBefore": t2, "tier3HoursBefore": t3, "escalationThreshold": 30,
            "materialDeadline": "2027-03-01T12:00:00Z"})
    };

    let refused = organizer
        .post("/api/v1/escalation-rules", &rule(24, 48, 0))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["errors"][0]["field"], "tier1HoursBefore");
    let mut no_deadline = rule(48, 24, 0);
    no_deadline["materialDeadline"] = json!(null);
    let refused = organizer
        .post("/api/v1/escalation-rules", &no_deadline)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["errors"][0]["field"], "materialDeadline");
    let speaker = Api::as_roles(&service, &["speaker"]);
    assert_eq!(
        speaker
            .post("/api/v1/escalation-rules", &rule(48, 24, 0))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let created = organizer
        .post("/api/v1/escalation-rules", &rule(48, 24, 0))
        .await;
    let etag = created.etag();
    let id = created.expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    organizer
        .post("/api/v1/escalation-rules", &rule(72, 24, 0))
        .await
        .expect(StatusCode::CONFLICT);

    let settings = json!({"tier1HoursBefore": 72, "tier2HoursBefore": 24, "tier3HoursBefore": 1,
        "materialDeadline": "2027-03-01T12:00:00Z"});
    let updated = organizer
        .put_if(&format!("/api/v1/escalation-rules/{id}"), &settings, &etag)
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["tier1HoursBefore"], 72);
    let stale = organizer
        .put_if(&format!("/api/v1/escalation-rules/{id}"), &settings, &etag)
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let missing = organizer
        .put(&format!("/api/v1/escalation-rules/{id}"), &settings)
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);

    let gone = organizer
        .delete(&format!("/api/v1/escalation-rules/{id}"))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let listed = organizer
        .get(&format!("/api/v1/escalation-rules?eventId={event_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["items"][0]["isActive"], false);
    organizer
        .post("/api/v1/escalation-rules", &rule(48, 24, 0))
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_new_material_deadline_starts_the_reminders_over() {
    let clock = Arc::new(ManualClock::at(at("2027-02-20T12:00:00Z")));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();
    let created = organizer
        .post(
            "/api/v1/escalation-rules",
            &json!({"eventId": event_id, "ruleType": "speaker_deadline", "tier1HoursBefore": 48,
                "tier2HoursBefore": 24, "tier3HoursBefore": 2, "materialDeadline": "2027-03-01T12:00:00Z"}),
        )
        .await;
    let etag = created.etag();
    let rule = created.expect(StatusCode::CREATED);
    let speaker_id = upstream.speaker(&address("nina"), "Nina", "en").await;
    let assignment = upstream
        .assigned(speaker_id, event_id, "Zero Trust Networks")
        .await;
    upstream.accept(&assignment).await;
    clock.set(at("2027-02-27T12:00:00Z"));
    logged(&organizer, speaker_id, "deadline_reminder_48h", "sent").await;

    organizer
        .put_if(
            &format!("/api/v1/escalation-rules/{}", rule["id"].as_str().unwrap()),
            &json!({"tier1HoursBefore": 48, "tier2HoursBefore": 24, "tier3HoursBefore": 2,
                "materialDeadline": "2027-03-08T12:00:00Z"}),
            &etag,
        )
        .await
        .expect(StatusCode::OK);
    clock.set(at("2027-03-01T12:00:00Z"));
    settle(&clock).await;
    assert_eq!(
        entries(&organizer, speaker_id, "deadline_critical").await,
        0,
        "the old deadline no longer counts"
    );
    clock.set(at("2027-03-06T12:00:00Z"));
    eventually(
        Duration::from_secs(60),
        "a first reminder for the new deadline",
        || async {
            (entries(&organizer, speaker_id, "deadline_reminder_48h").await == 2).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn events_parked_for_a_missing_session_keep_their_order() {
    let clock = Arc::new(ManualClock::at(at("2027-02-01T12:00:00Z")));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();
    organizer
        .post(
            "/api/v1/escalation-rules",
            &json!({"eventId": event_id, "ruleType": "content_review", "tier1HoursBefore": 48,
                "tier2HoursBefore": 24, "tier3HoursBefore": 2}),
        )
        .await
        .expect(StatusCode::CREATED);
    let speaker_id = upstream.speaker(&address("omar"), "Omar", "en").await;
    // The session is announced only after the speaker's review events.
    let assignment = fleet_tests::upstream::Assignment {
        assignment_id: Uuid::now_v7(),
        speaker_id,
        session_id: Uuid::now_v7(),
        event_id,
    };
    upstream
        .request_changes(&assignment, at("2027-02-04T12:00:00Z"))
        .await;
    upstream.submit(&assignment, 2).await;
    eventually(
        Duration::from_secs(60),
        "both wait for the session",
        || async {
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.ok()?;
            let parked: i64 =
                sqlx::query_scalar("select count(*) from notifications.deferred_events")
                    .fetch_one(&mut admin)
                    .await
                    .ok()?;
            (parked == 2).then_some(())
        },
    )
    .await;
    fleet_tests::publish(
        &fleet_tests::producer(&fleet_tests::brokers()),
        &service.topic_prefix,
        &shared_domain::contracts::events::SessionCreated {
            session: shared_domain::contracts::events::SessionSnapshot {
                session_id: assignment.session_id,
                event_id,
                title: "Data Mesh Lessons".into(),
                session_type: Known::named("presentation"),
                start_time: at("2027-03-12T17:00:00Z"),
                end_time: at("2027-03-12T17:40:00Z"),
                room: None,
                language: "en".into(),
                version: 1,
            },
        },
    )
    .await;
    logged(&organizer, speaker_id, "changes_requested", "sent").await;
    logged(
        &organizer,
        speaker_id,
        "material_received_confirmation",
        "sent",
    )
    .await;

    clock.set(at("2027-02-03T12:00:00Z"));
    settle(&clock).await;
    clock.set(at("2027-02-04T11:00:00Z"));
    settle(&clock).await;
    assert_eq!(
        entries(&organizer, speaker_id, "deadline_reminder_48h").await
            + entries(&organizer, speaker_id, "deadline_critical").await,
        0,
        "the revision arrived after the request: no reminders"
    );
}
