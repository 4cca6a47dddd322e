//! The content saga's consumers in notifications and attendees, with the content context
//! played on the bus: a storage quota warning mails its person once, in their language and
//! with the figures (a speaker as themselves, a partner integration through its partner's
//! primary contact); an attendee's download counts once as a material download.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use fleet_tests::api::Api;
use fleet_tests::broker::publish_envelope;
use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::upstream::{log_of, Upstream};
use fleet_tests::{brokers, eventually, producer, publish, unique, TestDb, TestService};
use notifications::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_domain::contracts::content::{
    ContentDownloaded, ContentType, OwnerKind, StorageQuotaWarning,
};
use shared_domain::contracts::Known;
use sqlx::Connection;
use uuid::Uuid;

const MB: i64 = 1024 * 1024;

/// A warning of quota `quota_id` at `percentage` of 100 MB for the ids of a token.
fn warning(
    quota_id: Uuid,
    speaker_id: Option<Uuid>,
    company_id: Option<Uuid>,
    percentage: f64,
) -> StorageQuotaWarning {
    StorageQuotaWarning {
        quota_id,
        user_id: Uuid::now_v7().to_string(),
        speaker_id,
        company_id,
        attendee_id: None,
        usage_bytes: (percentage * MB as f64) as i64,
        limit_bytes: 100 * MB,
        percentage_used: percentage,
        warned_at: Utc::now(),
    }
}

/// Runs `sql` (one count, `$1` = `id`) on the admin connection until it answers at least one.
async fn until_counted(db: &TestDb, what: &str, sql: &str, id: Uuid) {
    eventually(Duration::from_secs(60), what, || async {
        let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.ok()?;
        let count: i64 = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&mut admin)
            .await
            .ok()?;
        (count > 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_storage_quota_warning_mails_the_speaker_once_in_their_language() {
    let db = TestDb::create().await;
    let service = TestService::notifications(&db, Arc::new(SystemClock)).await;
    let log = Api::as_roles(&service, &["organizer"]);
    let address = format!("{}@example.ch", unique("quota"));
    let speaker_id = Upstream::of(&service).speaker(&address, "Lena", "en").await;
    // The profile travels on the speakers topic, the warning on the content topic.
    let known = "select count(*) from notifications.recipients where id = $1";
    until_counted(&db, "the speaker reaches notifications", known, speaker_id).await;

    let quota_id = Uuid::now_v7();
    let first = warning(quota_id, Some(speaker_id), None, 85.3);
    let envelope = event_bus::Envelope::wrap(&first, &Default::default()).unwrap();
    let bus = producer(&brokers());
    publish_envelope(&bus, &service.topic_prefix, "content", &envelope).await;
    publish_envelope(&bus, &service.topic_prefix, "content", &envelope).await;
    // A later crossing of the same quota: once it is mailed, the redelivery was handled.
    let later = warning(quota_id, Some(speaker_id), None, 92.0);
    publish(&bus, &service.topic_prefix, &later).await;

    wait_for_mails(&address, 2).await;
    let entries = eventually(Duration::from_secs(30), "both mails are sent", || async {
        let entries = log_of(&log, speaker_id).await;
        let sent = entries.iter().all(|e| e["deliveryStatus"] == "sent");
        (sent && entries.len() == 2).then_some(entries)
    })
    .await;
    let mails = mails_to(&address).await;
    assert_eq!(mails.len(), 2, "one mail per warning: {mails:?}");
    assert!(entries
        .iter()
        .all(|e| e["notificationType"] == "storage_quota_warning" && e["language"] == "en"));
    let (mail, text) = (&mails[0], mails[0].text());
    assert_eq!(mail.subject, "Your storage is 85% full");
    assert!(text.contains("Hello Lena Muster"), "{text}");
    assert!(
        text.contains("85.3 MB of your 100 MB of storage (85%)"),
        "{text}"
    );
    assert!(text.contains("delete files you no longer need"), "{text}");
    assert_eq!(mails[1].subject, "Your storage is 92% full");
}

#[tokio::test]
async fn a_partner_integrations_warning_reaches_the_primary_contact_in_german() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let log = fleet.organizer(&fleet.notifications);
    let run = Uuid::now_v7().simple().to_string();
    let acme = fleet.company("Acme AG").await;
    let partner = fleet.partner(acme, "gold").await;
    let (anna, ben) = (format!("anna.{run}@acme.ch"), format!("ben.{run}@acme.ch"));
    let mut contacts = Vec::new();
    for (name, email, language, primary) in
        [("Ben", &ben, "en", false), ("Anna", &anna, "de", true)]
    {
        let contact = fleet
            .partner_of(acme)
            .post(
                &format!("/api/v1/partners/{partner}/contacts"),
                &json!({"firstName": name, "lastName": "Keller", "email": email, "role": "CTO",
                    "language": language, "isPrimary": primary}),
            )
            .await
            .expect(StatusCode::CREATED);
        contacts.push(id_of(&contact));
    }
    let primary_known = "select count(*) from notifications.partner_directory p
        join notifications.partner_contacts c on c.partner_id = p.partner_id and c.is_primary
        join notifications.recipients r on r.id = c.contact_id where p.company_id = $1";
    until_counted(
        &db,
        "the primary contact of acme is known",
        primary_known,
        acme,
    )
    .await;

    let quota_id = Uuid::now_v7();
    let bus = producer(&brokers());
    let prefix = &fleet.notifications.topic_prefix;
    // A speaker of the company nobody knows here: never mailed through the company.
    let unknown_speaker = warning(quota_id, Some(Uuid::now_v7()), Some(acme), 81.0);
    publish(&bus, prefix, &unknown_speaker).await;
    publish(&bus, prefix, &warning(quota_id, None, Some(acme), 83.0)).await;

    let mails = wait_for_mails(&anna, 1).await;
    assert_eq!(mails[0].subject, "Ihr Speicherplatz ist zu 83 % belegt");
    let text = mails[0].text();
    assert!(text.contains("Guten Tag Anna Keller"), "{text}");
    assert!(text.contains("83.0 MB von 100 MB Speicherplatz"), "{text}");
    assert!(
        text.contains("löschen, um Speicherplatz freizugeben"),
        "{text}"
    );
    let (ben_id, anna_id) = (contacts[0], contacts[1]);
    assert_eq!(log_of(&log, anna_id).await.len(), 1, "one warning mailed");
    assert!(
        log_of(&log, ben_id).await.is_empty(),
        "the other contact hears nothing"
    );
}

/// An attendee's download of `file_id` of a session's materials at `at`.
fn downloaded(
    session: Uuid,
    file_id: Uuid,
    attendee_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> ContentDownloaded {
    ContentDownloaded {
        file_id,
        content_type: Known::from(ContentType::Presentation),
        owner_kind: Known::from(OwnerKind::Session),
        owner_id: session,
        session_id: Some(session),
        event_id: Some(Uuid::now_v7()),
        attendee_id,
        company_id: None,
        downloaded_at: at,
    }
}

async fn downloads_of(api: &Api, file_id: Uuid) -> Value {
    api.get(&format!("/api/v1/attendees/engagement/material/{file_id}"))
        .await
        .expect(StatusCode::OK)["downloads"]
        .clone()
}

#[tokio::test]
async fn an_attendees_download_counts_once_as_a_material_download() {
    let db = TestDb::create().await;
    let events = TestService::events(&db).await;
    let service = TestService::attendees_beside(&db, &events).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let mut attendees = Vec::new();
    for name in ["dora", "eve"] {
        let body = json!({"email": format!("{}@example.ch", unique(name)), "firstName": name,
            "lastName": "Download", "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
        let attendee = organizer
            .post("/api/v1/attendees", &body)
            .await
            .expect(StatusCode::CREATED);
        attendees.push(id_of(&attendee));
    }
    let (dora, eve) = (attendees[0], attendees[1]);
    let erased = organizer.delete(&format!("/api/v1/attendees/{eve}")).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);

    let (session, slides, handout) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let at: DateTime<Utc> = "2027-03-12T18:30:00Z".parse().unwrap();
    let first = downloaded(session, slides, Some(dora), at);
    let envelope = event_bus::Envelope::wrap(&first, &Default::default()).unwrap();
    let (bus, prefix) = (producer(&brokers()), &service.topic_prefix);
    publish_envelope(&bus, prefix, "content", &envelope).await;
    publish_envelope(&bus, prefix, "content", &envelope).await;
    for attendee in [Some(Uuid::now_v7()), Some(eve), None] {
        publish(&bus, prefix, &downloaded(session, slides, attendee, at)).await;
    }
    // The same session's materials travel in order: once the handout counts, all did.
    publish(&bus, prefix, &downloaded(session, handout, Some(dora), at)).await;

    eventually(
        Duration::from_secs(60),
        "the handout's download counts",
        || async { (downloads_of(&organizer, handout).await == 1).then_some(()) },
    )
    .await;
    assert_eq!(
        downloads_of(&organizer, slides).await,
        1,
        "a redelivery, an unknown or erased attendee, and a download by no attendee add nothing"
    );
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    let rows: Vec<(Uuid, String, String, DateTime<Utc>)> = sqlx::query_as(
        "select attendee_id, content_type, engagement_type, engaged_at
         from attendees.content_engagement where content_id = $1",
    )
    .bind(slides)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(rows, [(dora, "material".into(), "download".into(), at)]);
}
