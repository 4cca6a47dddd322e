//! The companies step of the content saga: a company's logo follows what the content context
//! announces on its topic. The newest upload is shown (and `…/logo` redirects to it), a
//! redelivered or late older upload changes nothing, a deleted logo is cleared, and each
//! change is announced as `CompanyUpdated` with `logoUrl`, so read models such as the
//! partners' show it too.

use std::time::Duration;

use chrono::{DateTime, Utc};
use fleet_tests::api::{Answer, Api};
use fleet_tests::people::start_group;
use fleet_tests::{brokers, eventually, producer, publish, read_topic, token, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_domain::contracts::content::{
    ContentDeleted, ContentType, ContentUploaded, DeletionReason, OwnerKind,
};
use sqlx::Connection;
use uuid::Uuid;

const DEADLINE: Duration = Duration::from_secs(60);

/// The public address the content context gives a logo file.
fn url_of(file_id: Uuid) -> String {
    format!("https://cdn.batbern.ch/logos/{file_id}.png")
}

/// A logo of `company` that passed every check, as the content context announces it.
fn logo_uploaded(company: Uuid, uploaded_at: DateTime<Utc>) -> ContentUploaded {
    let file_id = Uuid::now_v7();
    ContentUploaded {
        file_id,
        content_type: ContentType::Logo.into(),
        owner_kind: OwnerKind::Company.into(),
        owner_id: company,
        file_name: "logo.png".into(),
        mime_type: "image/png".into(),
        size_bytes: 2048,
        checksum: "ab".repeat(32),
        s3_key: format!("logos/{company}/{file_id}.png"),
        public_url: Some(url_of(file_id)),
        uploaded_by: "user-organizer".into(),
        uploaded_at,
    }
}

fn logo_deleted(upload: &ContentUploaded, reason: DeletionReason) -> ContentDeleted {
    ContentDeleted {
        file_id: upload.file_id,
        content_type: ContentType::Logo.into(),
        owner_kind: OwnerKind::Company.into(),
        owner_id: upload.owner_id,
        reason: reason.into(),
        deleted_at: Utc::now(),
    }
}

/// A reader of companies that sees redirects instead of following them.
fn reader(service: &TestService) -> Api {
    Api {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base_url: service.base_url.clone(),
        token: Some(token(&["attendee"], None)),
    }
}

async fn create_company(service: &TestService, name: &str) -> Uuid {
    let created = Api::as_roles(service, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": name, "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    created["id"].as_str().unwrap().parse().unwrap()
}

/// Waits until the company's logo is `expected` (none: no logo); answers the company.
async fn logo_becomes(api: &Api, company: Uuid, expected: Option<&str>) -> Value {
    let path = format!("/api/v1/companies/{company}");
    eventually(DEADLINE, &format!("the logo is {expected:?}"), || async {
        let body = api.get(&path).await.expect(StatusCode::OK);
        (body["logo"]["url"].as_str() == expected).then_some(body)
    })
    .await
}

async fn logo_redirect(api: &Api, company: Uuid) -> Answer {
    api.get(&format!("/api/v1/companies/{company}/logo")).await
}

/// The logo rows of `company`: (file id, current), newest upload first.
async fn logo_rows(db: &TestDb, company: Uuid) -> Vec<(Uuid, bool)> {
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query_as(
        "select file_id, is_current from companies.company_logos where company_id = $1 \
         order by uploaded_at desc",
    )
    .bind(company)
    .fetch_all(&mut admin)
    .await
    .unwrap()
}

async fn count(db: &TestDb, sql: &str, id: Uuid) -> i64 {
    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut admin)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_uploaded_logo_is_shown_and_its_address_redirected_to() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let api = reader(&service);
    let bus = producer(&brokers());
    let (acme, plain) = (
        create_company(&service, "Acme AG").await,
        create_company(&service, "Plain GmbH").await,
    );
    let stranger = logo_uploaded(Uuid::now_v7(), Utc::now());
    let stranger_envelope =
        event_bus::Envelope::wrap(&stranger, &event_bus::EventContext::default()).unwrap();
    fleet_tests::broker::publish_envelope(
        &bus,
        &service.topic_prefix,
        "content",
        &stranger_envelope,
    )
    .await;
    let upload = logo_uploaded(acme, Utc::now());

    publish(&bus, &service.topic_prefix, &upload).await;

    let company = logo_becomes(&api, acme, Some(&url_of(upload.file_id))).await;
    assert_eq!(company["logo"]["fileId"], upload.file_id.to_string());
    assert_eq!(company["logo"]["mimeType"], "image/png");
    assert_eq!(company["version"], 2, "the logo is a change of the company");
    let redirect = logo_redirect(&api, acme).await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    assert_eq!(
        redirect.headers["location"],
        url_of(upload.file_id).as_str()
    );
    logo_redirect(&api, plain)
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    logo_redirect(&api, Uuid::now_v7())
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    let anonymous = Api {
        token: None,
        ..reader(&service)
    };
    logo_redirect(&anonymous, acme)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, None);
    // The logo of a company this service does not know is skipped, not parked.
    let inbox = "select count(*) from companies.inbox where event_id = $1";
    eventually(DEADLINE, "the stranger's logo is consumed", || async {
        (count(&db, inbox, stranger_envelope.id).await == 1).then_some(())
    })
    .await;
    let parked = "select count(*) from companies.dead_letters where event_id = $1";
    assert_eq!(count(&db, parked, stranger_envelope.id).await, 0);
    assert!(logo_rows(&db, stranger.owner_id).await.is_empty());
}

#[tokio::test]
async fn the_newest_upload_is_the_logo_until_it_is_deleted() {
    let db = TestDb::create().await;
    let service = TestService::companies(&db).await;
    let api = reader(&service);
    let bus = producer(&brokers());
    let acme = create_company(&service, "Acme AG").await;
    let start = Utc::now();
    let first = logo_uploaded(acme, start);
    let second = logo_uploaded(acme, start + chrono::Duration::seconds(10));
    let late = logo_uploaded(acme, start + chrono::Duration::seconds(5));

    publish(&bus, &service.topic_prefix, &first).await;
    logo_becomes(&api, acme, Some(&url_of(first.file_id))).await;
    publish(&bus, &service.topic_prefix, &second).await;
    logo_becomes(&api, acme, Some(&url_of(second.file_id))).await;

    assert_eq!(
        logo_rows(&db, acme).await,
        [(second.file_id, true), (first.file_id, false)],
        "one current logo, the replaced one on record"
    );

    // Again, as a redelivery would bring it; the replaced file's deletion; an older upload
    // that arrives late. One company's events are applied in order, so once the late upload
    // is on record, the others were applied before it.
    publish(&bus, &service.topic_prefix, &second).await;
    let replaced = logo_deleted(&first, DeletionReason::Replaced);
    publish(&bus, &service.topic_prefix, &replaced).await;
    publish(&bus, &service.topic_prefix, &late).await;
    eventually(DEADLINE, "the late upload is on record", || async {
        let rows = logo_rows(&db, acme).await;
        rows.iter()
            .any(|(file, _)| *file == late.file_id)
            .then_some(())
    })
    .await;
    assert_eq!(
        logo_rows(&db, acme).await,
        [
            (second.file_id, true),
            (late.file_id, false),
            (first.file_id, false)
        ],
        "the newest upload stays current and is recorded once"
    );
    let company = logo_becomes(&api, acme, Some(&url_of(second.file_id))).await;
    assert_eq!(company["version"], 3, "nothing changed the company");

    publish(
        &bus,
        &service.topic_prefix,
        &logo_deleted(&second, DeletionReason::Deleted),
    )
    .await;

    let company = logo_becomes(&api, acme, None).await;
    assert_eq!(company["logo"], Value::Null);
    assert_eq!(company["version"], 4);
    logo_redirect(&api, acme)
        .await
        .expect_problem(StatusCode::NOT_FOUND, None);
    let announced = read_topic(
        &brokers(),
        &service.topic("companies"),
        5,
        Duration::from_secs(3),
    )
    .await;
    let logos: Vec<(Value, Value)> = announced
        .iter()
        .map(|m| (m.payload["version"].clone(), m.payload["logoUrl"].clone()))
        .collect();
    assert_eq!(
        logos,
        [
            (Value::Null, Value::Null),
            (json!(2), json!(url_of(first.file_id))),
            (json!(3), json!(url_of(second.file_id))),
            (json!(4), Value::Null),
        ],
        "created without a logo, then one CompanyUpdated per logo change"
    );
}

#[tokio::test]
async fn a_partner_shows_its_companys_logo() {
    let db = TestDb::create().await;
    let mut started = start_group(&db, &["companies", "partners"])
        .await
        .into_iter();
    let (companies, partners) = (started.next().unwrap(), started.next().unwrap());
    let acme = create_company(&companies, "Acme AG").await;
    let start = (Utc::now() - chrono::Duration::days(1)).date_naive();
    let organizer = Api::as_roles(&partners, &["organizer"]);
    let partner = organizer
        .post(
            "/api/v1/partners",
            &json!({"companyId": acme, "partnershipLevel": "gold", "partnershipStartDate": start}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(partner["companyLogoUrl"], Value::Null);
    let upload = logo_uploaded(acme, Utc::now());

    publish(&producer(&brokers()), &companies.topic_prefix, &upload).await;

    let path = format!("/api/v1/partners/{}", partner["id"].as_str().unwrap());
    let expected = json!(url_of(upload.file_id));
    eventually(DEADLINE, "the partner shows the company's logo", || async {
        let body = organizer.get(&path).await.expect(StatusCode::OK);
        (body["companyLogoUrl"] == expected).then_some(())
    })
    .await;
}
