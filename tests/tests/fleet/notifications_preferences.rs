//! Notification preferences and contacts: who may set them, what is refused and why.

use std::sync::Arc;

use fleet_tests::api::Api;
use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::services::token_of_speaker;
use fleet_tests::upstream::{log_of, logged, settle, Upstream};
use fleet_tests::{eventually, unique, TestDb, TestService};
use notifications::clock::{ManualClock, SystemClock};
use reqwest::StatusCode;
use serde_json::json;
use shared_domain::contracts::Known;
use uuid::Uuid;

#[tokio::test]
async fn people_set_their_own_preferences_and_bad_ones_are_refused_naming_the_field() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let me = Uuid::now_v7();
    let speaker = Api::at(&service.base_url, Some(token_of_speaker(&me.to_string())));
    let path = |kind: &str| format!("/api/v1/notification-preferences/{me}/email/{kind}");

    let set = speaker
        .put(&path("event_published"), &json!({"isEnabled": true, "frequency": "weekly_digest", "quietHoursStart": "21:30", "quietHoursEnd": "06:45"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(set["frequency"], "weekly_digest");
    assert_eq!(set["quietHoursStart"], "21:30");
    let replaced = speaker
        .put(&path("event_published"), &json!({"isEnabled": false}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(replaced["id"], set["id"]);
    assert_eq!(replaced["quietHoursStart"], json!(null));
    let listed = speaker
        .get(&format!("/api/v1/notification-preferences/{me}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["isEnabled"], false);

    let refusal = |body: serde_json::Value, kind: &'static str, field: &'static str| {
        let speaker = &speaker;
        let path = path(kind);
        async move {
            let answer = speaker
                .put(&path, &body)
                .await
                .expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(answer["errors"][0]["field"], field, "{answer}");
        }
    };
    refusal(
        json!({"isEnabled": true, "quietHoursStart": "25:00", "quietHoursEnd": "06:00"}),
        "all",
        "quietHoursStart",
    )
    .await;
    refusal(
        json!({"isEnabled": true, "quietHoursStart": "22:00"}),
        "all",
        "quietHoursEnd",
    )
    .await;
    refusal(
        json!({"isEnabled": true, "quietHoursStart": "22:00", "quietHoursEnd": "22:00"}),
        "all",
        "quietHoursEnd",
    )
    .await;
    refusal(
        json!({"isEnabled": true}),
        "birthday_wishes",
        "notificationType",
    )
    .await;
    refusal(
        json!({"isEnabled": false}),
        "registration_confirmed",
        "notificationType",
    )
    .await;
    refusal(
        json!({"isEnabled": true, "frequency": "daily_digest"}),
        "speaker_invitation",
        "notificationType",
    )
    .await;
    let channel = speaker
        .put(
            &format!("/api/v1/notification-preferences/{me}/fax/all"),
            &json!({"isEnabled": true}),
        )
        .await;
    assert_eq!(channel.status, StatusCode::BAD_REQUEST);
    assert!(
        channel.body.to_string().contains("channel"),
        "{}",
        channel.body
    );
    let unknown_field = speaker
        .put(&path("all"), &json!({"isEnabled": true, "volume": 11}))
        .await;
    assert!(unknown_field.status.is_client_error());

    let someone_else = Api::at(
        &service.base_url,
        Some(token_of_speaker(&Uuid::now_v7().to_string())),
    );
    assert_eq!(
        someone_else
            .get(&format!("/api/v1/notification-preferences/{me}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        someone_else
            .put(&path("all"), &json!({"isEnabled": false}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let anonymous = Api::anonymous(&service);
    assert_eq!(
        anonymous
            .get(&format!("/api/v1/notification-preferences/{me}"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let organizer = Api::as_roles(&service, &["organizer"]);
    organizer
        .get(&format!("/api/v1/notification-preferences/{me}"))
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn organizers_give_their_own_contact_but_not_a_speakers() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let organizer_id = Uuid::now_v7();
    let organizer = Api::as_user(&service, &organizer_id.to_string(), &["organizer"]);
    let contact = organizer
        .put(
            &format!("/api/v1/notification-preferences/{organizer_id}/contact"),
            &json!({"email": " Olga@Example.CH ", "displayName": "Olga Organizer", "language": "de"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(contact["email"], "olga@example.ch");

    let bad = organizer
        .put(
            &format!("/api/v1/notification-preferences/{organizer_id}/contact"),
            &json!({"email": "not-an-address", "displayName": "", "language": "de"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "displayName"]);
    let language = organizer
        .put(
            &format!("/api/v1/notification-preferences/{organizer_id}/contact"),
            &json!({"email": "olga@example.ch", "displayName": "Olga", "language": "fr"}),
        )
        .await;
    assert!(language.status.is_client_error());
    assert!(language.body.to_string().contains("language"));

    let person = Uuid::now_v7();
    for roles in [&["speaker"][..], &["attendee"], &["partner"]] {
        Api::as_user(&service, &person.to_string(), roles)
            .put(
                &format!("/api/v1/notification-preferences/{person}/contact"),
                &json!({"email": "planted@example.ch", "displayName": "Planted", "language": "en"}),
            )
            .await
            .expect(StatusCode::FORBIDDEN);
    }

    let upstream = Upstream::of(&service);
    let speaker_id = upstream
        .speaker(&format!("{}@example.ch", unique("sam")), "Sam", "en")
        .await;
    eventually(
        std::time::Duration::from_secs(60),
        "the speaker's profile arrives",
        || async {
            let answer = organizer
                .put(
                    &format!("/api/v1/notification-preferences/{speaker_id}/contact"),
                    &json!({"email": "other@example.ch", "displayName": "Sam", "language": "en"}),
                )
                .await;
            (answer.status == StatusCode::CONFLICT).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_weekly_digest_goes_out_on_monday_and_an_opt_out_keeps_only_mandatory_mail() {
    // Wednesday 10:00 in Bern.
    let clock = Arc::new(ManualClock::at("2026-11-25T09:00:00Z".parse().unwrap()));
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, clock.clone()).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();

    let weekly_inbox = format!("{}@example.ch", unique("wanda"));
    let weekly = upstream.speaker(&weekly_inbox, "Wanda", "en").await;
    organizer
        .put(
            &format!("/api/v1/notification-preferences/{weekly}/email/all"),
            &json!({"isEnabled": true, "frequency": "weekly_digest"}),
        )
        .await
        .expect(StatusCode::OK);
    let assignment = upstream.assigned(weekly, event_id, "Platform Teams").await;
    upstream.submit(&assignment, 1).await;
    logged(&organizer, weekly, "material_received_confirmation", "held").await;
    clock.set("2026-11-30T06:59:00Z".parse().unwrap());
    settle(&clock).await;
    assert!(
        mails_to(&weekly_inbox).await.is_empty(),
        "not before Monday 08:00"
    );
    clock.set("2026-11-30T07:00:00Z".parse().unwrap());
    let digest = &wait_for_mails(&weekly_inbox, 1).await[0];
    assert!(digest.subject.contains("weekly"), "{}", digest.subject);
    assert!(digest.text().contains("Platform Teams"));

    // A speaker who opted out of optional mail in their profile.
    let quiet_inbox = format!("{}@example.ch", unique("otto"));
    let quiet = Uuid::now_v7();
    let profile = shared_domain::contracts::speakers::SpeakerProfileChangedV1 {
        speaker_id: quiet,
        email: quiet_inbox.clone(),
        first_name: "Otto".into(),
        last_name: "Optout".into(),
        language: Known::named("de"),
        email_notifications: false,
        changed_at: chrono::Utc::now(),
    };
    fleet_tests::publish(
        &fleet_tests::producer(&fleet_tests::brokers()),
        &service.topic_prefix,
        &profile,
    )
    .await;
    let optional = upstream
        .assigned(quiet, event_id, "Data Mesh Lessons")
        .await;
    upstream.submit(&optional, 1).await;
    let skipped = logged(
        &organizer,
        quiet,
        "material_received_confirmation",
        "suppressed",
    )
    .await;
    assert!(skipped["errorMessage"]
        .as_str()
        .unwrap()
        .contains("opted out"));
    let mandatory = upstream
        .assigned(quiet, event_id, "Zero Trust Networks")
        .await;
    upstream.invite(&mandatory).await;
    logged(&organizer, quiet, "speaker_invitation", "sent").await;
    assert_eq!(mails_to(&quiet_inbox).await.len(), 1, "only the invitation");
    assert_eq!(log_of(&organizer, quiet).await.len(), 2);
}
