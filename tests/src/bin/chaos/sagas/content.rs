//! Content upload: three files go up as clients put them up (content answers a presigned
//! PUT for each declaration, the client PUTs the bytes straight to S3 and confirms with
//! the SHA-256, content reads the object back, scans it, completes it and announces it):
//! a company's logo by its partner integration (→ companies makes it the current logo and
//! announces the company → events shows it beside the company), a speaker's photo by the
//! speaker (→ speakers sets the profile photo and announces the profile → events shows it
//! on the agenda) and a primary presentation of a session whose materials are published,
//! by an organizer (→ content attaches it and announces the materials → events keeps
//! them). Effects: each file completed once in content and once in content's outbox;
//! companies' current logo and its announcement; speakers' profile photo and its
//! announcement; the session's presentation in content and in its materials'
//! announcement; events' logo, photo and presentation, each pointing at the file.

use std::time::Duration;

use async_trait::async_trait;
use fleet_tests::api::Api;
use fleet_tests::content::{declaration, pdf, png, put};
use fleet_tests::planning::evening_event;
use fleet_tests::services::token_of_speaker;
use fleet_tests::token;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use super::invitation::{company, id_of, session, speaker};
use super::{event_number, organizer, post_until_answered, until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

/// What content does with each file, once (`$1` the file's owner): it completes the file
/// and announces it.
const IN_CONTENT: [&str; 2] = [
    "select count(*) from content.files where owner_id::text = $1 and upload_status = 'completed'",
    "select count(*) from content.outbox where event_type = 'content.file.uploaded.v1' and aggregate_id = $1",
];

/// What follows from the logo, once each (`$1` the company).
const LOGO: [&str; 3] = [
    "select count(*) from companies.company_logos l join content.files f on f.id = l.file_id
      where l.company_id::text = $1 and l.is_current and l.public_url = f.public_url",
    "select count(*) from companies.outbox
      where event_type = 'companies.company.updated.v1' and aggregate_id = $1 and payload->>'logoUrl' is not null",
    "select count(*) from events.company_names c join content.files f on f.public_url = c.logo_url
      where c.company_id::text = $1",
];

/// What follows from the photo, once each (`$1` the speaker).
const PHOTO: [&str; 3] = [
    "select count(*) from speakers.speakers s join content.files f on f.id = s.profile_photo_file_id
      where s.id::text = $1 and s.profile->>'profilePhotoUrl' = f.public_url",
    "select count(*) from speakers.outbox
      where event_type = 'speakers.speaker.profile_changed.v2' and aggregate_id = $1 and payload->>'photoUrl' is not null",
    "select count(*) from events.speaker_profiles p join content.files f on f.public_url = p.photo_url
      where p.speaker_id::text = $1",
];

/// What follows from the presentation, once each (`$1` the session).
const SLIDES: [&str; 3] = [
    "select count(*) from content.presentation_files where session_id::text = $1 and is_primary",
    "select count(*) from content.outbox
      where event_type = 'content.session_materials.changed.v1' and aggregate_id = $1
        and payload->'presentations' <> '[]'::jsonb",
    "select count(*) from events.session_materials m
      cross join jsonb_array_elements(m.presentations) as p(presentation)
      join content.files f on f.id::text = p.presentation->>'fileId'
      where m.session_id::text = $1",
];

pub struct Content;

/// One file of the instance: who puts it up, the idempotency key of its declaration, the
/// declaration and the bytes.
struct Upload {
    token: String,
    key: String,
    declared: Value,
    bytes: Vec<u8>,
}

struct Started {
    company_id: String,
    speaker_id: String,
    session_id: String,
    uploads: Vec<Upload>,
}

#[async_trait]
impl Saga for Content {
    fn name(&self) -> &'static str {
        "content upload"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(150)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["content", "companies", "speakers", "events"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let events = organizer(fleet, "events");
        let event = events
            .post("/api/v1/events", &evening_event(event_number(), 100))
            .await
            .expect(StatusCode::CREATED);
        let session_id = session(&events, &id_of(&event), 0).await;
        let company_id = company(fleet).await;
        let label = fleet_tests::unique("c");
        let email = format!("{label}@example.ch");
        let speaker_id = speaker(&organizer(fleet, "speakers"), &company_id, &email, 0).await;
        fleet
            .until("content knows the company and the session", &format!(
                "select (select count(*) from content.company_directory where company_id = '{company_id}') = 1
                    and (select count(*) from content.known_sessions where session_id = '{session_id}') = 1"
            ))
            .await;
        organizer(fleet, "content")
            .post(
                &format!("/api/v1/session-materials/{session_id}/publication"),
                &json!({"published": true}),
            )
            .await
            .expect(StatusCode::OK);
        fleet
            .until("events knows the company, the speaker and the published materials", &format!(
                "select (select count(*) from events.company_names where company_id = '{company_id}') = 1
                    and (select count(*) from events.speaker_profiles where speaker_id = '{speaker_id}') = 1
                    and (select count(*) from events.session_materials
                          where session_id = '{session_id}' and published_at is not null) = 1"
            ))
            .await;
        let uploads = uploads(&label, &company_id, &speaker_id, &session_id);
        Box::new(Started {
            company_id,
            speaker_id,
            session_id,
            uploads,
        })
    }
}

/// The logo (by the company's partner integration), the photo (by the speaker) and the
/// primary presentation (by an organizer) of the instance.
fn uploads(label: &str, company_id: &str, speaker_id: &str, session_id: &str) -> Vec<Upload> {
    let company: Uuid = company_id.parse().expect("a company id");
    let (logo, photo, slides) = (png(3_000), png(4_000), pdf(5_000, 0));
    vec![
        Upload {
            token: token(&["partner"], Some(company)),
            key: format!("{label}-logo"),
            declared: declaration(
                "logo.png",
                "logo",
                "image/png",
                &logo,
                json!({"companyId": company_id}),
            ),
            bytes: logo,
        },
        Upload {
            token: token_of_speaker(speaker_id),
            key: format!("{label}-photo"),
            declared: declaration(
                "portrait.png",
                "speaker_photo",
                "image/png",
                &photo,
                json!({"speakerId": speaker_id}),
            ),
            bytes: photo,
        },
        Upload {
            token: token(&["organizer"], None),
            key: format!("{label}-slides"),
            declared: declaration(
                "slides.pdf",
                "presentation",
                "application/pdf",
                &slides,
                json!({"sessionId": session_id, "title": "Surviving a crash", "isPrimary": true}),
            ),
            bytes: slides,
        },
    ]
}

/// Puts `file` up as a client does: declares it (a repeat is answered the first link),
/// PUTs its bytes to the store and confirms it (a repeat after the decision answers the
/// decision again), each until answered; the file must end completed.
async fn upload(fleet: &ProcessFleet, file: &Upload) {
    let caller = Api::at(&fleet.base_url("content"), Some(file.token.clone()));
    let link = post_until_answered(&caller, "/api/v1/files", &file.declared, &file.key).await;
    let stored = put(&link, file.bytes.clone()).await;
    assert_eq!(stored, StatusCode::OK, "the store took no {}", file.key);
    let id = link["fileId"].as_str().expect("a file id");
    let path = format!("/api/v1/files/{id}/confirm");
    let body = json!({"checksum": file.declared["checksum"]});
    let (status, answer) = until_answered(&caller, Method::POST, &path, &body, &[]).await;
    assert!(
        status == StatusCode::OK && answer["uploadStatus"] == "completed",
        "{path} answered {status}: {answer}"
    );
}

/// How often `query` finds its effect for `owner`.
async fn count(fleet: &ProcessFleet, query: &str, owner: &str) -> usize {
    let (found,): (i64,) = sqlx::query_as(query)
        .bind(owner)
        .fetch_one(&fleet.admin)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    found as usize
}

#[async_trait]
impl Run for Started {
    async fn trigger(&self, fleet: &ProcessFleet) {
        join_all(self.uploads.iter().map(|file| upload(fleet, file))).await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let owners: [(&str, &[&str]); 3] = [
            (self.company_id.as_str(), &LOGO[..]),
            (self.speaker_id.as_str(), &PHOTO[..]),
            (self.session_id.as_str(), &SLIDES[..]),
        ];
        let mut tally = Tally::default();
        for (owner, follows) in owners {
            for query in IN_CONTENT.iter().chain(follows) {
                tally = tally.and(Tally::number(1, count(fleet, query, owner).await));
            }
        }
        tally
    }
}
