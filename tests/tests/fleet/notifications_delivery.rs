//! Delivery faults: a redelivered event mails once, SES failures are retried and end as
//! `failed` with the error (and can be resent), SES events track delivery and suppress
//! bounced or complaining addresses, erasure removes the person, and a service killed
//! mid-delivery neither loses a mail nor sends one twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use fleet_tests::api::Api;
use fleet_tests::broker::publish_envelope;
use fleet_tests::mail::{all_mails, mails_to, wait_for_mails};
use fleet_tests::services::{mail_settings, WEBHOOK_TOKEN};
use fleet_tests::upstream::{log_of, logged, Upstream};
use fleet_tests::{brokers, eventually, producer, publish, unique, TestDb, TestService};
use notifications::clock::{ManualClock, SystemClock};
use reqwest::StatusCode;
use serde_json::json;
use shared_domain::contracts::attendees::{AttendeeErased, AttendeeProfileChangedV1};
use shared_domain::contracts::speakers::SpeakerInvited;
use shared_domain::contracts::Known;
use uuid::Uuid;

fn inbox(name: &str) -> String {
    format!("{}@example.ch", unique(name))
}

#[tokio::test]
async fn the_same_event_delivered_twice_sends_one_mail() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let log = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let address = inbox("dup");
    let speaker_id = upstream.speaker(&address, "Dora", "en").await;
    let assignment = upstream
        .assigned(speaker_id, Uuid::now_v7(), "Data Mesh Lessons")
        .await;
    let invited = |link: &str| SpeakerInvited {
        assignment_id: assignment.assignment_id,
        speaker_id,
        session_id: assignment.session_id,
        event_id: assignment.event_id,
        role: Known::named("primary_speaker"),
        presentation_title: None,
        invitation_link: link.into(),
        expires_at: "2027-02-01T12:00:00Z".parse().unwrap(),
        invited_at: Utc::now(),
    };
    let envelope =
        event_bus::Envelope::wrap(&invited("https://batbern.ch/first"), &Default::default())
            .unwrap();
    let bus = producer(&brokers());
    publish_envelope(&bus, &service.topic_prefix, "speakers", &envelope).await;
    publish_envelope(&bus, &service.topic_prefix, "speakers", &envelope).await;
    // A later invitation on the same key: once it is mailed, the redelivery was handled.
    publish(
        &bus,
        &service.topic_prefix,
        &invited("https://batbern.ch/second"),
    )
    .await;

    let mails = wait_for_mails(&address, 2).await;
    eventually(
        Duration::from_secs(30),
        "both mails are logged as sent",
        || async {
            let entries = log_of(&log, speaker_id).await;
            entries
                .iter()
                .all(|e| e["deliveryStatus"] == "sent")
                .then_some(())
                .filter(|_| entries.len() == 2)
        },
    )
    .await;
    let mails_now = mails_to(&address).await;
    assert_eq!(mails_now.len(), 2, "{mails:?}");
    assert!(mails_now[0].text().contains("https://batbern.ch/first"));
    assert!(mails_now[1].text().contains("https://batbern.ch/second"));
    // Each mail names the logged mail it is (a resend after a crash would repeat it).
    let mut logged: Vec<String> = log_of(&log, speaker_id)
        .await
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let mut named: Vec<String> = mails_now
        .iter()
        .map(|m| m.notification_id().to_owned())
        .collect();
    logged.sort();
    named.sort();
    assert_eq!(named, logged);
    let count = |query: String| {
        let log = &log;
        async move {
            log.get(&format!(
                "/api/v1/notifications?recipientId={speaker_id}&{query}"
            ))
            .await
            .expect(StatusCode::OK)["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(
        count("status=sent&notificationType=speaker_invitation".into()).await,
        2
    );
    assert_eq!(count("status=failed".into()).await, 0);
    assert_eq!(count("notificationType=digest".into()).await, 0);
    let later = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let earlier = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(
        count(format!("from={}", later.replace('+', "%2B"))).await,
        0
    );
    assert_eq!(
        count(format!(
            "from={}&to={}",
            earlier.replace('+', "%2B"),
            later.replace('+', "%2B")
        ))
        .await,
        2
    );
    let first_page = log
        .get(&format!(
            "/api/v1/notifications?recipientId={speaker_id}&limit=1"
        ))
        .await
        .expect(StatusCode::OK);
    let cursor = first_page["nextCursor"].as_str().expect("a second page");
    let second_page = log
        .get(&format!(
            "/api/v1/notifications?recipientId={speaker_id}&limit=1&cursor={cursor}"
        ))
        .await
        .expect(StatusCode::OK);
    assert_ne!(first_page["items"][0]["id"], second_page["items"][0]["id"]);
    assert_eq!(second_page["nextCursor"], serde_json::Value::Null);
    let metrics = service.metrics().await;
    assert!(
        metrics.contains("mail_deliveries_total{outcome=\"sent\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn sending_failures_are_retried_with_backoff_then_failed_with_the_error_and_can_be_resent() {
    let clock = Arc::new(ManualClock::at("2027-01-10T10:00:00Z".parse().unwrap()));
    let db = TestDb::create().await;
    let database_url = db.service_url("notifications").await;
    let mut unreachable = mail_settings();
    unreachable.ses_endpoint = Some("http://127.0.0.1:9".into());
    let service =
        TestService::notifications_with(database_url, unique("t"), unreachable, clock.clone())
            .await;
    let log = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let assignment = upstream.invited(&inbox("fail"), "de", Uuid::now_v7()).await;

    let attempt = |n: i64| {
        let log = &log;
        async move {
            eventually(
                Duration::from_secs(60),
                &format!("attempt {n} is recorded"),
                || async {
                    log_of(log, assignment.speaker_id)
                        .await
                        .into_iter()
                        .find(|e| e["attempts"] == n)
                },
            )
            .await
        }
    };
    let first = attempt(1).await;
    assert_eq!(first["deliveryStatus"], "pending");
    assert!(!first["errorMessage"].as_str().unwrap().is_empty());
    assert_eq!(
        first["sendAfter"], "2027-01-10T10:00:10Z",
        "retried after 10 s"
    );
    clock.set("2027-01-10T10:00:10Z".parse().unwrap());
    let second = attempt(2).await;
    assert_eq!(
        second["sendAfter"], "2027-01-10T10:00:30Z",
        "then after 20 s"
    );
    clock.set("2027-01-10T10:00:30Z".parse().unwrap());
    let failed = attempt(3).await;
    assert_eq!(failed["deliveryStatus"], "failed");
    assert!(
        failed["errorMessage"].as_str().unwrap().len() > 5,
        "the error is kept"
    );
    let id = failed["id"].as_str().unwrap();

    let speaker = Api::as_roles(&service, &["speaker"]);
    assert_eq!(
        speaker
            .post(&format!("/api/v1/notifications/{id}/resend"), &json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let resent = log
        .post(&format!("/api/v1/notifications/{id}/resend"), &json!({}))
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(resent["deliveryStatus"], "pending");
    assert_eq!(resent["attempts"], 0);
    assert!(resent["metadata"]["previousError"].is_string());
    let again = log
        .post(&format!("/api/v1/notifications/{id}/resend"), &json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let unknown = log
        .post(
            &format!("/api/v1/notifications/{}/resend", Uuid::now_v7()),
            &json!({}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let filtered = log.get("/api/v1/notifications?status=bogus").await;
    assert_eq!(filtered.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_stop_amid_undeliverable_mail_ends_after_the_mail_in_flight_and_keeps_the_rest() {
    // An SES that takes connections and never answers: each mail waits out its send
    // timeout, so the backlog alone would keep delivering for far longer than the stop
    // may take.
    const BACKLOG: usize = 40;
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let db = TestDb::create().await;
    let database_url = db.service_url("notifications").await;
    let mut unreachable = mail_settings();
    unreachable.ses_endpoint = Some(format!("http://{}", silent.local_addr().unwrap()));
    unreachable.send_timeout = Duration::from_secs(2);
    let service = TestService::notifications_with(
        database_url,
        unique("t"),
        unreachable,
        Arc::new(SystemClock),
    )
    .await;
    let upstream = Upstream::of(&service);
    let admin = sqlx::PgPool::connect(&db.admin_url()).await.unwrap();
    let event_id = Uuid::now_v7();
    let (mut speakers, mut assignments) = (Vec::new(), Vec::new());
    for _ in 0..BACKLOG {
        let speaker_id = upstream.speaker(&inbox("stop"), "Mia", "de").await;
        speakers.push(speaker_id);
        assignments.push(upstream.assigned(speaker_id, event_id, "Sagas").await);
    }
    let sessions: Vec<Uuid> = assignments.iter().map(|a| a.session_id).collect();
    // Every recipient and session known first, so the invitations become mails at once
    // rather than waiting, parked, for ticks the slow delivery holds up.
    eventually(
        Duration::from_secs(60),
        "the recipients and sessions are known",
        || async {
            let known: (i64, i64) = sqlx::query_as(
                "select (select count(*) from notifications.recipients where id = any($1)), \
                 (select count(*) from notifications.session_directory where session_id = any($2))",
            )
            .bind(&speakers)
            .bind(&sessions)
            .fetch_one(&admin)
            .await
            .ok()?;
            (known == (BACKLOG as i64, BACKLOG as i64)).then_some(())
        },
    )
    .await;
    for assignment in &assignments {
        upstream.invite(assignment).await;
    }
    eventually(
        Duration::from_secs(60),
        "a first attempt failed with the backlog queued",
        || async {
            let (queued, tried): (i64, i64) = sqlx::query_as(
                "select count(*), count(*) filter (where attempts > 0) \
                 from notifications.notification_log where user_id = any($1)",
            )
            .bind(&speakers)
            .fetch_one(&admin)
            .await
            .ok()?;
            (queued == BACKLOG as i64 && tried > 0).then_some(())
        },
    )
    .await;

    let asked = Instant::now();
    service.stop().await;

    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "the stop waited for the mail in flight only, not the backlog: {took:?}"
    );
    let untried: i64 = sqlx::query_scalar(
        "select count(*) from notifications.notification_log \
         where user_id = any($1) and delivery_status = 'pending' and attempts = 0",
    )
    .bind(&speakers)
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(
        untried > 0,
        "mails not yet tried stay pending for the next start"
    );
    drop(silent);
}

async fn ses_event(service: &TestService, token: &str, body: &serde_json::Value) -> StatusCode {
    service
        .client
        .post(service.url(&format!("/api/v1/webhooks/ses?token={token}")))
        .header("content-type", "text/plain; charset=UTF-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn ses_events_track_delivery_and_suppress_bounced_and_complaining_addresses() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let log = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();
    let (bouncing, happy) = (inbox("bounce"), inbox("happy"));
    let first = upstream.invited(&bouncing, "en", event_id).await;
    let second = upstream.invited(&happy, "en", event_id).await;
    let bounced_mail = logged(&log, first.speaker_id, "speaker_invitation", "sent").await;
    let happy_mail = logged(&log, second.speaker_id, "speaker_invitation", "sent").await;

    let bounce = json!({"eventType": "Bounce", "mail": {"messageId": bounced_mail["sesMessageId"]},
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": bouncing}]}});
    let via_sns =
        json!({"Type": "Notification", "MessageId": "sns-1", "Message": bounce.to_string()});
    assert_eq!(
        ses_event(&service, "wrong", &via_sns).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ses_event(&service, WEBHOOK_TOKEN, &json!("not an event")).await,
        StatusCode::NO_CONTENT
    );
    let garbage = service
        .client
        .post(service.url(&format!("/api/v1/webhooks/ses?token={WEBHOOK_TOKEN}")))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        garbage.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(
        ses_event(&service, WEBHOOK_TOKEN, &via_sns).await,
        StatusCode::NO_CONTENT
    );
    let delivered =
        json!({"eventType": "Delivery", "mail": {"messageId": happy_mail["sesMessageId"]}});
    let without_token = service
        .client
        .post(service.url("/api/v1/webhooks/ses"))
        .body(delivered.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(without_token.status(), StatusCode::UNAUTHORIZED);
    let with_basic_auth = service
        .client
        .post(service.url("/api/v1/webhooks/ses"))
        .basic_auth("sns", Some(WEBHOOK_TOKEN))
        .body(delivered.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(with_basic_auth.status(), StatusCode::NO_CONTENT);

    logged(&log, first.speaker_id, "speaker_invitation", "bounced").await;
    logged(&log, second.speaker_id, "speaker_invitation", "delivered").await;

    let retry = upstream
        .assigned(first.speaker_id, event_id, "Zero Trust Networks")
        .await;
    upstream.invite(&retry).await;
    let suppressed = logged(&log, first.speaker_id, "speaker_invitation", "suppressed").await;
    assert!(suppressed["errorMessage"]
        .as_str()
        .unwrap()
        .contains("bounce"));
    assert_eq!(
        mails_to(&bouncing).await.len(),
        1,
        "nothing more went to the bounced address"
    );

    let complaint = json!({"notificationType": "Complaint", "mail": {"messageId": happy_mail["sesMessageId"]},
        "complaint": {"complainedRecipients": [{"emailAddress": happy}]}});
    assert_eq!(
        ses_event(&service, WEBHOOK_TOKEN, &complaint).await,
        StatusCode::NO_CONTENT
    );
    logged(&log, second.speaker_id, "speaker_invitation", "complained").await;
}

#[tokio::test]
async fn erasure_removes_the_attendee_from_the_directory_and_the_log() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let log = Api::as_roles(&service, &["organizer"]);
    let bus = producer(&brokers());
    let attendee_id = Uuid::now_v7();
    let address = inbox("erase");
    let profile = AttendeeProfileChangedV1 {
        attendee_id,
        email: address.clone(),
        first_name: "Eve".into(),
        last_name: "Gone".into(),
        language: Known::named("en"),
        changed_at: Utc::now(),
    };
    publish(&bus, &service.topic_prefix, &profile).await;
    log.put(
        &format!("/api/v1/notification-preferences/{attendee_id}/email/all"),
        &json!({"isEnabled": true, "frequency": "weekly_digest"}),
    )
    .await
    .expect(StatusCode::OK);
    let subscription = shared_domain::contracts::attendees::NewsletterConfirmationRequested {
        subscription_id: Uuid::now_v7(),
        attendee_id,
        confirmation_token: "c".into(),
        unsubscribe_token: "u".into(),
        requested_at: Utc::now(),
    };
    publish(&bus, &service.topic_prefix, &subscription).await;
    logged(&log, attendee_id, "newsletter_confirmation", "sent").await;

    publish(
        &bus,
        &service.topic_prefix,
        &AttendeeErased {
            attendee_id,
            erased_at: Utc::now(),
        },
    )
    .await;
    eventually(
        Duration::from_secs(60),
        "the log forgets the attendee",
        || async { log_of(&log, attendee_id).await.is_empty().then_some(()) },
    )
    .await;
    let preferences = log
        .get(&format!("/api/v1/notification-preferences/{attendee_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(preferences["items"], json!([]));
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&db.admin_url())
        .await
        .unwrap();
    let traces: i64 = sqlx::query_scalar(
        "select (select count(*) from notifications.recipients where email = $1)
              + (select count(*) from notifications.notification_log where recipient_email = $1)",
    )
    .bind(&address)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(traces, 0);
}

#[tokio::test]
async fn a_service_killed_mid_delivery_loses_no_mail_and_sends_none_twice() {
    // Enough mail that delivery is still under way when the test, reading a store full of
    // the whole run's mail, sees that it has begun.
    const SPEAKERS: usize = 500;
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();
    let run = unique("kill");
    let addresses: Vec<String> = (0..SPEAKERS)
        .map(|n| format!("{run}-{n}@example.ch"))
        .collect();
    for address in &addresses {
        upstream.invited(address, "de", event_id).await;
    }
    let count = |mails: &[fleet_tests::mail::SentMail]| {
        let mut per_address: HashMap<String, usize> = HashMap::new();
        for mail in mails {
            for to in &mail.destination.to {
                if to.starts_with(&run) {
                    *per_address.entry(to.clone()).or_default() += 1;
                }
            }
        }
        per_address
    };
    eventually(Duration::from_secs(60), "delivery has begun", || async {
        (!count(&all_mails().await).is_empty()).then_some(())
    })
    .await;
    let (database_url, prefix) = service.crash().await;
    let at_crash = count(&all_mails().await).values().sum::<usize>();
    assert!(
        at_crash < SPEAKERS,
        "the service was killed mid-delivery ({at_crash} sent)"
    );

    let _restarted = TestService::notifications_with(
        database_url,
        prefix,
        mail_settings(),
        Arc::new(SystemClock),
    )
    .await;
    let delivered = eventually(
        Duration::from_secs(120),
        "every invitation is mailed",
        || async {
            let per_address = count(&all_mails().await);
            (per_address.len() == SPEAKERS).then_some(per_address)
        },
    )
    .await;
    assert!(
        delivered.values().all(|&n| n == 1),
        "no address got two mails: {delivered:?}"
    );
}
