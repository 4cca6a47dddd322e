//! Loads a whole conference into a running fleet through its gateway, as its users would:
//! companies (the partner companies become partners), a topic, an evening with its slot
//! grid and sessions, speakers invited who accept through the link in their mail, their
//! material reviewed and approved, the agenda assigned and published, and attendees
//! registering past capacity onto the waitlist.
//!
//! `demo --gateway http://127.0.0.1:8080 --ses http://127.0.0.1:8005`; a second run finds
//! the demo event and changes nothing.

use std::time::Duration;

use anyhow::{bail, Context};
use fleet_tests::api::{Answer, Api};
use fleet_tests::services::claims;
use reqwest::StatusCode;
use serde_json::{json, Value};
use service_kit::auth::{mint_hs256, Claims};
use service_kit::credentials::DEV_JWT_SECRET;
use uuid::Uuid;

/// The demo event's number (the one thing a second run looks for).
const NUMBER: i32 = 42;
const COMPANY: &str = "Puzzle ITC";
const SPEAKERS: [(&str, &str, &str, &str); 3] = [
    (
        "Anna",
        "Aebi",
        "anna.aebi@demo.batbern.ch",
        "Platform Teams at Scale",
    ),
    (
        "Ben",
        "Brown",
        "ben.brown@demo.batbern.ch",
        "Event Sourcing in Practice",
    ),
    (
        "Chloé",
        "Chappuis",
        "chloe.chappuis@demo.batbern.ch",
        "Zero Trust Networks",
    ),
];
const ATTENDEES: [&str; 4] = ["lea", "marco", "nina", "olaf"];

fn token(claims: Claims) -> String {
    mint_hs256(DEV_JWT_SECRET, &claims)
}

fn ok(answer: Answer, expected: StatusCode, what: &str) -> anyhow::Result<Value> {
    if answer.status != expected {
        bail!("{what}: {} {}", answer.status, answer.body);
    }
    Ok(answer.body)
}

/// Repeats `step` until it answers `expected` (a fact another service learns from the bus).
async fn until(api: &Api, path: &str, body: &Value, expected: StatusCode) -> anyhow::Result<Value> {
    for _ in 0..120 {
        let answer = api.post(path, body).await;
        if answer.status == expected {
            return Ok(answer.body);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    bail!("{path} never answered {expected}")
}

async fn status(api: &Api, event: &str, body: Value) -> anyhow::Result<()> {
    for _ in 0..120 {
        let tag = api.get(&format!("/api/v1/events/{event}")).await.etag();
        let answer = api
            .post_if(&format!("/api/v1/events/{event}/status"), &body, &tag)
            .await;
        match answer.status {
            StatusCode::OK => return Ok(()),
            StatusCode::CONFLICT if answer.body["unapprovedSpeakers"].is_array() => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            _ => bail!("status {body}: {} {}", answer.status, answer.body),
        }
    }
    bail!("the approvals never reached the events service")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut gateway, mut ses) = (
        "http://127.0.0.1:8080".to_owned(),
        "http://127.0.0.1:8005".to_owned(),
    );
    while let Some(flag) = args.next() {
        let value = args.next().context("a value after each flag")?;
        match flag.as_str() {
            "--gateway" => gateway = value,
            "--ses" => ses = value,
            other => bail!("unknown flag {other}"),
        }
    }
    std::env::set_var("SES_ENDPOINT", &ses);
    let organizer = Api::at(
        &gateway,
        Some(token(claims("demo-organizer", &["organizer"]))),
    );
    let events = ok(
        organizer.get("/api/v1/events?limit=100").await,
        StatusCode::OK,
        "events",
    )?;
    if let Some(event) = events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["eventNumber"] == NUMBER)
    {
        println!(
            "  the demo event is loaded: {gateway}/api/v1/events/{}/agenda",
            event["id"].as_str().unwrap_or_default()
        );
        return Ok(());
    }
    let event = plan(&organizer).await?;
    sponsor(&organizer).await?;
    let speakers = invite(&gateway, &organizer, &event).await?;
    review(&gateway, &organizer, &speakers).await?;
    publish(&organizer, &event).await?;
    register(&gateway, &organizer, &event).await?;
    println!("  demo conference loaded: {gateway}/api/v1/events/{event}/agenda");
    Ok(())
}

/// The partner companies become partners: the insurer platinum, the others gold.
async fn sponsor(o: &Api) -> anyhow::Result<()> {
    let companies = ok(
        o.get("/api/v1/companies?isPartner=true&limit=100").await,
        StatusCode::OK,
        "partner companies",
    )?;
    for company in companies["items"].as_array().into_iter().flatten() {
        let tier = if company["industry"] == "Insurance" {
            "platinum"
        } else {
            "gold"
        };
        let body = json!({"companyId": company["id"], "partnershipLevel": tier, "partnershipStartDate": "2026-01-01"});
        until(o, "/api/v1/partners", &body, StatusCode::CREATED).await?;
    }
    Ok(())
}

/// The event with its topic, slot grid and one session per speaker.
async fn plan(o: &Api) -> anyhow::Result<String> {
    let event = ok(o.post("/api/v1/events", &json!({
        "eventNumber": NUMBER, "title": "Architectures that last", "description": "Three talks on platforms, events and trust",
        "eventDate": "2027-06-10T16:00:00Z", "registrationDeadline": "2027-06-08T21:59:00Z", "eventType": "evening", "capacity": 3,
        "venue": {"name": "Kursaal Bern", "address": "Kornhausstrasse 3, 3013 Bern", "capacity": 400}})).await, StatusCode::CREATED, "event")?;
    let id = event["id"].as_str().context("event id")?.to_owned();
    let topic = ok(o.post("/api/v1/topics", &json!({"title": "Architectures that last", "description": "Platforms, events and trust", "category": "technical"})).await, StatusCode::CREATED, "topic")?;
    ok(
        o.post(
            &format!("/api/v1/events/{id}/topics"),
            &json!({"topicId": topic["id"]}),
        )
        .await,
        StatusCode::CREATED,
        "topic on the event",
    )?;
    ok(
        o.post(
            &format!("/api/v1/events/{id}/slots/generate"),
            &json!({"slotCount": 3}),
        )
        .await,
        StatusCode::OK,
        "slots",
    )?;
    Ok(id)
}

/// A speaker who accepted: their id, assignment and token.
struct Speaker {
    assignment: String,
    api: Api,
}

/// Each speaker is created, invited to a session, and accepts through the mailed link.
async fn invite(gateway: &str, o: &Api, event: &str) -> anyhow::Result<Vec<Speaker>> {
    let companies = ok(
        o.get("/api/v1/companies?limit=100").await,
        StatusCode::OK,
        "companies",
    )?;
    let company = companies["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == COMPANY)
        .context("the demo companies")?["id"]
        .clone();
    let mut speakers = Vec::new();
    for (n, (first, last, email, title)) in SPEAKERS.iter().enumerate() {
        let body = json!({"email": email, "firstName": first, "lastName": last, "companyId": company,
            "profile": {"shortBio": format!("{first} builds platforms.")}});
        let speaker = until(o, "/api/v1/speakers", &body, StatusCode::CREATED).await?;
        let speaker_id: Uuid = speaker["id"].as_str().context("speaker id")?.parse()?;
        let session = ok(o.post(&format!("/api/v1/events/{event}/sessions"), &json!({"title": title, "sessionType": "presentation",
            "startTime": format!("2027-06-10T{}:00:00Z", 16 + n), "endTime": format!("2027-06-10T{}:40:00Z", 16 + n), "room": "Arena"})).await, StatusCode::CREATED, "session")?;
        let invitation = until(o, "/api/v1/invitations", &json!({"speakerId": speaker_id, "sessionId": session["id"], "role": "primary_speaker", "presentationTitle": title}), StatusCode::CREATED).await?;
        let assignment = invitation["assignment"]["id"]
            .as_str()
            .context("assignment id")?
            .to_owned();
        let mail = fleet_tests::mail::wait_for_mails(email, 1).await.remove(0);
        let token = mail
            .text()
            .split("?token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .context("the invitation link")?
            .to_owned();
        let public = Api::at(gateway, None);
        ok(
            public
                .post(
                    &format!("/api/v1/invitations/{assignment}/accept"),
                    &json!({"token": token}),
                )
                .await,
            StatusCode::OK,
            "accept",
        )?;
        let api = Api::at(gateway, Some(token_of_speaker(speaker_id)));
        speakers.push(Speaker { assignment, api });
    }
    Ok(speakers)
}

fn token_of_speaker(id: Uuid) -> String {
    token(Claims {
        speaker_id: Some(id),
        ..claims(&format!("speaker-{id}"), &["speaker"])
    })
}

/// Each speaker submits an abstract; the moderator approves it.
async fn review(_gateway: &str, o: &Api, speakers: &[Speaker]) -> anyhow::Result<()> {
    for speaker in speakers {
        let submission = format!("/api/v1/session-speakers/{}/submission", speaker.assignment);
        let body = json!({"abstract": "What we built, what broke, and the lessons we learned on the way.", "bio": "Builds platforms in Bern."});
        ok(
            speaker.api.put(&submission, &body).await,
            StatusCode::OK,
            "submission",
        )?;
        let review = format!("/api/v1/session-speakers/{}/review", speaker.assignment);
        ok(
            o.post(&review, &json!({"status": "in_review"})).await,
            StatusCode::OK,
            "in review",
        )?;
        ok(o.post(&review, &json!({"status": "approved", "abstractReview": {"hasLessonsLearned": true, "hasProductPromotion": false, "meetsStandards": true}})).await, StatusCode::OK, "approval")?;
    }
    Ok(())
}

/// Slots assigned, the planning walked to its end, the agenda published, registration open.
async fn publish(o: &Api, event: &str) -> anyhow::Result<()> {
    until(
        o,
        &format!("/api/v1/events/{event}/slots/auto-assign"),
        &json!({}),
        StatusCode::OK,
    )
    .await?;
    for state in [
        "speaker_brainstorming",
        "speaker_assignment",
        "speaker_outreach",
        "content_collection",
        "quality_review",
        "slot_assignment",
        "agenda_finalization",
    ] {
        let tag = o.get(&format!("/api/v1/events/{event}")).await.etag();
        ok(
            o.post_if(
                &format!("/api/v1/events/{event}/workflow"),
                &json!({"workflowState": state}),
                &tag,
            )
            .await,
            StatusCode::OK,
            state,
        )?;
    }
    for to in [
        "topic_defined",
        "speakers_invited",
        "agenda_draft",
        "published",
        "registration_open",
    ] {
        status(o, event, json!({"status": to})).await?;
    }
    Ok(())
}

/// Attendees sign up and register; the fourth lands on the waitlist.
async fn register(gateway: &str, o: &Api, event: &str) -> anyhow::Result<()> {
    for name in ATTENDEES {
        let email = format!("{name}@demo.batbern.ch");
        let body = json!({"email": email, "firstName": name, "lastName": "Demo", "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
        let attendee = ok(
            o.post("/api/v1/attendees", &body).await,
            StatusCode::CREATED,
            "attendee",
        )?;
        let id: Uuid = attendee["id"].as_str().context("attendee id")?.parse()?;
        let caller = Api::at(
            gateway,
            Some(token(Claims {
                attendee_id: Some(id),
                ..claims(&format!("attendee-{id}"), &["attendee"])
            })),
        );
        until(
            &caller,
            "/api/v1/registrations",
            &json!({"eventId": event}),
            StatusCode::CREATED,
        )
        .await?;
    }
    Ok(())
}
