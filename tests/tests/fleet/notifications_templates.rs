//! Email templates: the shipped defaults, checks on save, versions and rollback.

use std::sync::Arc;

use fleet_tests::api::Api;
use fleet_tests::mail::wait_for_mails;
use fleet_tests::upstream::{logged, Upstream};
use fleet_tests::{unique, TestDb, TestService};
use notifications::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const TYPES: [&str; 27] = [
    "speaker_invitation",
    "invitation_withdrawn",
    "deadline_reminder_48h",
    "deadline_reminder_24h",
    "deadline_critical",
    "material_received_confirmation",
    "event_published",
    "newsletter_progressive",
    "newsletter_final",
    "agenda_update",
    "registration_confirmed",
    "registration_waitlisted",
    "registration_promoted",
    "registration_cancelled",
    "registration_rejected",
    "speaker_accepted",
    "speaker_declined",
    "newsletter_confirmation",
    "changes_requested",
    "deadline_escalation",
    "digest",
    "email_change_confirmation",
    "email_change_notice",
    "overflow_declined",
    "partner_meeting_invitation",
    "storage_quota_warning",
    "webhook_disabled",
];

async fn active(api: &Api, template_type: &str, language: &str) -> Vec<Value> {
    api.get(&format!(
        "/api/v1/email-templates?templateType={template_type}&language={language}"
    ))
    .await
    .expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn every_type_ships_an_active_german_and_english_default_that_renders() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let api = Api::as_roles(&service, &["organizer"]);

    let templates = api
        .get("/api/v1/email-templates?activeOnly=true")
        .await
        .expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(templates.len(), TYPES.len() * 2);
    for template_type in TYPES {
        for language in ["de", "en"] {
            let template = templates
                .iter()
                .find(|t| t["templateType"] == template_type && t["language"] == language)
                .unwrap_or_else(|| panic!("{template_type} {language} ships"));
            assert_eq!(template["version"], 1);
            let preview = api
                .post(
                    &format!(
                        "/api/v1/email-templates/{}/preview",
                        template["id"].as_str().unwrap()
                    ),
                    &json!({}),
                )
                .await
                .expect(StatusCode::OK);
            assert!(!preview["subject"].as_str().unwrap().is_empty());
            assert!(
                preview["textBody"]
                    .as_str()
                    .unwrap()
                    .contains("«recipientName»"),
                "{template_type} {language} greets the recipient: {preview}"
            );
        }
    }
}

#[tokio::test]
async fn a_template_that_uses_an_undeclared_variable_or_does_not_parse_is_refused() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let api = Api::as_roles(&service, &["organizer"]);
    let draft = |subject: &str, html: &str, variables: Value| {
        json!({"templateType": "registration_confirmed", "language": "en", "subject": subject,
            "htmlBody": html, "textBody": "Hello {{ recipientName }}", "variables": variables})
    };

    let undeclared = api
        .post(
            "/api/v1/email-templates",
            &draft(
                "Confirmed",
                "<p>{{ eventTitle }}</p>",
                json!(["recipientName"]),
            ),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(undeclared["errors"][0]["field"], "htmlBody");
    assert!(undeclared["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`eventTitle`"));

    let broken = api
        .post(
            "/api/v1/email-templates",
            &draft(
                "Confirmed {{ recipientName",
                "<p></p>",
                json!(["recipientName"]),
            ),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(broken["errors"][0]["field"], "subject");

    let foreign = api
        .post(
            "/api/v1/email-templates",
            &draft(
                "Confirmed",
                "<p></p>",
                json!(["recipientName", "invitationLink"]),
            ),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(foreign["errors"][0]["field"], "variables");

    let mut unknown_type = draft("Confirmed", "<p></p>", json!(["recipientName"]));
    unknown_type["templateType"] = json!("birthday");
    let answer = api.post("/api/v1/email-templates", &unknown_type).await;
    assert!(answer.status.is_client_error());
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    assert!(answer.body.to_string().contains("templateType"));

    assert_eq!(
        active(&api, "registration_confirmed", "en").await.len(),
        1,
        "nothing was saved"
    );

    let valid = draft(
        "Confirmed",
        "<p>{{ recipientName }}</p>",
        json!(["recipientName"]),
    );
    let speaker = Api::as_roles(&service, &["speaker"]);
    assert_eq!(
        speaker.post("/api/v1/email-templates", &valid).await.status,
        StatusCode::FORBIDDEN
    );
    let anonymous = Api::anonymous(&service);
    assert_eq!(
        anonymous.get("/api/v1/email-templates").await.status,
        StatusCode::UNAUTHORIZED
    );
    let missing = api
        .get(&format!("/api/v1/email-templates/{}", Uuid::now_v7()))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_version_mails_from_then_on_and_an_old_version_can_be_reactivated() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let api = Api::as_roles(&service, &["organizer"]);
    let upstream = Upstream::of(&service);
    let event_id = Uuid::now_v7();
    let original = active(&api, "speaker_invitation", "en").await[0].clone();

    let second = api
        .post(
            "/api/v1/email-templates",
            &json!({"templateType": "speaker_invitation", "language": "en",
                "subject": "Speak at BATbern: {{ sessionTitle }}",
                "htmlBody": "<p>Dear {{ recipientName }}, <a href=\"{{ invitationLink }}\">answer here</a>.</p>",
                "textBody": "Dear {{ recipientName }}, answer at {{ invitationLink }}",
                "variables": ["recipientName", "sessionTitle", "invitationLink"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(second["version"], 2);
    assert_eq!(second["isActive"], true);
    let versions = active(&api, "speaker_invitation", "en").await;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["id"], original["id"]);
    assert_eq!(
        versions[1]["isActive"], false,
        "the old version is kept, inactive"
    );
    assert_eq!(versions[1]["subject"], original["subject"], "and unchanged");

    let first_address = format!("{}@example.ch", unique("mia"));
    let first = upstream.invited(&first_address, "en", event_id).await;
    let mail = &wait_for_mails(&first_address, 1).await[0];
    assert_eq!(mail.subject, "Speak at BATbern: Event Sourcing in Practice");
    let entry = logged(&api, first.speaker_id, "speaker_invitation", "sent").await;
    assert_eq!(entry["templateVersion"], 2);
    assert_eq!(entry["templateId"], second["id"]);

    let reactivated = api
        .post(
            &format!(
                "/api/v1/email-templates/{}/activate",
                original["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(reactivated["isActive"], true);
    let versions = active(&api, "speaker_invitation", "en").await;
    assert_eq!(versions[0]["isActive"], false);

    let second_address = format!("{}@example.ch", unique("tom"));
    let later = upstream.invited(&second_address, "en", event_id).await;
    let mail = &wait_for_mails(&second_address, 1).await[0];
    assert_ne!(mail.subject, "Speak at BATbern: Event Sourcing in Practice");
    let entry = logged(&api, later.speaker_id, "speaker_invitation", "sent").await;
    assert_eq!(entry["templateVersion"], 1);

    let unknown = api
        .post(
            &format!("/api/v1/email-templates/{}/activate", Uuid::now_v7()),
            &json!({}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
