//! The organizer's and the speakers' part of the journey: plan an event, invite speakers
//! who answer through the link in their mail, collect and review their material, assign
//! the slots and publish.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::gateway::{form_of, Caller, SubjectIds};
use crate::mailbox::link_in;
use crate::Journey;

/// The event as planned.
pub struct Plan {
    pub event_id: String,
    pub event_number: i32,
    pub event_title: String,
    /// `(id, name, inbox, language)` of each speaker to invite.
    pub people: Vec<(Uuid, String, String, &'static str)>,
    pub organizer_inbox: String,
}

/// A speaker who accepted, with the language of their mails.
pub struct Speaker {
    pub id: Uuid,
    pub name: String,
    pub inbox: String,
    pub language: &'static str,
    pub assignment_id: String,
    pub session: (String, String),
    pub caller: Caller,
}

const PEOPLE: [(&str, &str, &str); 3] = [
    ("Anna", "Aebi", "de"),
    ("Ben", "Brown", "en"),
    ("Chloé", "Chappuis", "de"),
];
const TITLES: [&str; 3] = [
    "Platform Teams at Scale",
    "Event Sourcing in Practice",
    "Zero Trust Networks",
];

/// A company and its speakers (right after it), the event with its topic and slot grid,
/// and an organizer of the event who wants to hear of the speakers' answers.
pub async fn plan_event(journey: &mut Journey) -> Plan {
    let o = &journey.organizer;
    let company = o
        .post(
            "/api/v1/companies",
            &json!({"name": format!("Journey AG {}", journey.run), "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    // The company was created a moment ago: the speakers service may not know it yet.
    let mut people = Vec::new();
    for (first, last, language) in PEOPLE {
        let inbox = journey.address(&first.to_lowercase().replace('é', "e"));
        let body = json!({"email": inbox, "firstName": first, "lastName": last, "companyId": company["id"],
            "profile": {"shortBio": format!("{first} builds platforms."), "languages": [language]},
            "communicationPreferences": {"language": language, "emailNotifications": true}});
        let speaker = o
            .post("/api/v1/speakers", &body)
            .await
            .expect(StatusCode::CREATED);
        let id: Uuid = speaker["id"].as_str().unwrap().parse().unwrap();
        people.push((id, format!("{first} {last}"), inbox, language));
    }
    let number = 100 + (Uuid::now_v7().as_u128() % 9000) as i32;
    let event_title = format!("Architecture Journeys {}", journey.run);
    let event = o
        .post("/api/v1/events", &json!({
            "eventNumber": number, "title": event_title, "description": "Where architectures go",
            "eventDate": "2027-03-12T16:00:00Z", "registrationDeadline": "2027-03-10T22:59:00Z",
            "eventType": "evening", "capacity": 2,
            "venue": {"name": "Kursaal Bern", "address": "Kornhausstrasse 3, 3013 Bern", "capacity": 400}}))
        .await
        .expect(StatusCode::CREATED);
    let event_id = event["id"].as_str().unwrap().to_owned();
    let topic = o
        .post("/api/v1/topics", &json!({"title": format!("Platform engineering {}", journey.run), "description": "Teams, platforms and paved roads", "category": "technical"}))
        .await
        .expect(StatusCode::CREATED);
    o.post(
        &format!("/api/v1/events/{event_id}/topics"),
        &json!({"topicId": topic["id"]}),
    )
    .await
    .expect(StatusCode::CREATED);
    o.post(
        &format!("/api/v1/events/{event_id}/slots/generate"),
        &json!({"slotCount": 3}),
    )
    .await
    .expect(StatusCode::OK);
    let organizer_user = Uuid::now_v7();
    let organizer_inbox = journey.address("olga");
    o.post("/api/v1/roles", &json!({"userId": organizer_user.to_string(), "role": "organizer", "eventId": event_id, "reason": "Runs the journey event"}))
        .await
        .expect(StatusCode::CREATED);
    o.put(
        &format!("/api/v1/notification-preferences/{organizer_user}/contact"),
        &json!({"email": organizer_inbox, "displayName": "Olga Organizer", "language": "de"}),
    )
    .await
    .expect(StatusCode::OK);
    Plan {
        event_id,
        event_number: number,
        event_title,
        people,
        organizer_inbox,
    }
}

/// Creates a session per speaker and invites the speaker to it right away; each answers
/// through the page the invitation mail links to.
pub async fn invite_and_accept(journey: &mut Journey, plan: &Plan) -> Vec<Speaker> {
    let mut speakers = Vec::new();
    for (n, (id, name, inbox, language)) in plan.people.iter().enumerate() {
        let title = TITLES[n];
        let body = json!({"title": title, "sessionType": "presentation", "startTime": format!("2027-03-12T{}:00:00Z", 16 + n), "endTime": format!("2027-03-12T{}:40:00Z", 16 + n), "room": "Arena", "tags": ["architecture"], "targetAudience": ["intermediate"]});
        let session = journey
            .organizer
            .post(&format!("/api/v1/events/{}/sessions", plan.event_id), &body)
            .await
            .expect(StatusCode::CREATED);
        let session = (session["id"].as_str().unwrap().to_owned(), title.to_owned());
        // The session was created a moment ago: the speakers service may not know it yet.
        let invitation = journey
            .organizer
            .post("/api/v1/invitations", &json!({"speakerId": id, "sessionId": session.0, "role": "primary_speaker", "presentationTitle": title}))
            .await
            .expect(StatusCode::CREATED);
        let caller = journey.public.with_token(
            &format!("speaker-{id}"),
            &["speaker"],
            SubjectIds {
                speaker: Some(*id),
                ..SubjectIds::default()
            },
        );
        speakers.push(Speaker {
            id: *id,
            name: name.clone(),
            inbox: inbox.clone(),
            language,
            assignment_id: invitation["assignment"]["id"].as_str().unwrap().to_owned(),
            session,
            caller,
        });
    }
    for speaker in &speakers {
        answer_invitation(journey, plan, speaker).await;
    }
    for speaker in &speakers {
        journey
            .mail(&plan.organizer_inbox, &format!("Zusage: {}", speaker.name))
            .await;
    }
    speakers
}

/// The speaker opens the link of the invitation mail, sees the event and session, and
/// presses "accept".
async fn answer_invitation(journey: &mut Journey, plan: &Plan, speaker: &Speaker) {
    let subject = match speaker.language {
        "en" => format!("Invitation to speak at BATbern: {}", speaker.session.1),
        _ => format!("Einladung zu BATbern: {}", speaker.session.1),
    };
    let mail = journey.mail(&speaker.inbox, &subject).await;
    let link = link_in(&mail, "/speaker/invitations/");
    assert!(
        link.starts_with(&journey.fleet.gateway),
        "the link points at the gateway: {link}"
    );
    let page = journey.public.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text;
    assert!(
        html.contains(&plan.event_title) && html.contains(&speaker.session.1),
        "{html}"
    );
    let role = match speaker.language {
        "en" => "primary speaker",
        _ => "Hauptreferentin bzw. Hauptreferent",
    };
    assert!(
        html.contains(role),
        "the page names the role as the mail does: {html}"
    );
    let (action, token) = form_of(&html, "/accept");
    let answered = journey
        .public
        .submit_form(&action, &[("token", &token)])
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    let thanks = if speaker.language == "en" {
        "You accepted"
    } else {
        "angenommen"
    };
    assert!(answered.text.contains(thanks), "{}", answered.text);
    let view = journey
        .public
        .get(&format!(
            "/api/v1/invitations/{}?token={token}",
            speaker.assignment_id
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(view["workflowState"], "accepted");
    assert_eq!(view["event"]["title"], plan.event_title.as_str());
}

/// Slot preferences and material from each speaker; the moderator asks the first for
/// changes and approves the others (the first's revision waits until publication is tried).
pub async fn collect_material(journey: &mut Journey, plan: &Plan, speakers: &[Speaker]) {
    for (n, speaker) in speakers.iter().enumerate() {
        let hour = 17 + n;
        let preferences = json!({"preferredTimeSlots": [{"startTime": format!("{hour}:00"), "endTime": format!("{}:00", hour + 1), "preference": "strongly_preferred"}], "ownLaptopRequired": true});
        speaker
            .caller
            .put(
                &format!(
                    "/api/v1/speakers/{}/slot-preferences/{}",
                    speaker.id, plan.event_id
                ),
                &preferences,
            )
            .await
            .expect(StatusCode::OK);
        submit(
            journey,
            speaker,
            "How we got there, and the lessons we learned.",
            1,
        )
        .await;
    }
    let moderator = journey.organizer.clone();
    for (n, speaker) in speakers.iter().enumerate() {
        let review = format!("/api/v1/session-speakers/{}/review", speaker.assignment_id);
        moderator
            .post(&review, &json!({"status": "in_review"}))
            .await
            .expect(StatusCode::OK);
        if n == 0 {
            moderator
                .post(&review, &json!({"status": "requires_changes", "feedback": "Please add the lessons learned", "revisionDeadline": "2027-02-01T00:00:00Z"}))
                .await
                .expect(StatusCode::OK);
            let subject = format!("Anpassungen gewünscht: {}", speaker.session.1);
            let mail = journey.mail(&speaker.inbox, &subject).await;
            assert!(
                mail.text().contains("Please add the lessons learned"),
                "{}",
                mail.text()
            );
            submit(
                journey,
                speaker,
                "How we got there, and the three lessons we learned on the way.",
                2,
            )
            .await;
        }
        if n > 0 {
            approve(&moderator, speaker).await;
        }
    }
}

/// The moderator approves the speaker's latest revision.
async fn approve(moderator: &Caller, speaker: &Speaker) {
    let review = format!("/api/v1/session-speakers/{}/review", speaker.assignment_id);
    let approved = moderator
        .post(&review, &json!({"status": "approved", "abstractReview": {"hasLessonsLearned": true, "hasProductPromotion": false, "meetsStandards": true}}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(approved["reviewStatus"], "approved", "{approved}");
}

async fn submit(journey: &mut Journey, speaker: &Speaker, text: &str, revision: u32) {
    speaker
        .caller
        .put(
            &format!(
                "/api/v1/session-speakers/{}/submission",
                speaker.assignment_id
            ),
            &json!({"abstract": text, "bio": format!("{} builds platforms.", speaker.name)}),
        )
        .await
        .expect(StatusCode::OK);
    let subject = match speaker.language {
        "en" => format!(
            "Material received: {} (revision {revision})",
            speaker.session.1
        ),
        _ => format!(
            "Unterlagen erhalten: {} (Revision {revision})",
            speaker.session.1
        ),
    };
    journey.mail(&speaker.inbox, &subject).await;
}

/// Waits until the events service shows every speaker confirmed and their preferences,
/// assigns the slots automatically, walks the workflow and publishes.
pub async fn assign_and_publish(journey: &mut Journey, plan: &Plan, speakers: &[Speaker]) {
    let o = &journey.organizer;
    let event = format!("/api/v1/events/{}", plan.event_id);
    fleet_tests::eventually(
        std::time::Duration::from_secs(60),
        "events sees every speaker confirmed with preferences",
        || async {
            let sessions = o
                .get(&format!("{event}/sessions"))
                .await
                .expect(StatusCode::OK);
            let preferences = o
                .get(&format!("{event}/slot-preferences"))
                .await
                .expect(StatusCode::OK);
            let confirmed = sessions
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| {
                    s["speakers"]
                        .as_array()
                        .is_some_and(|sp| sp.iter().any(|x| x["isConfirmed"] == true))
                })
                .count();
            let known = preferences.as_array().map_or(0, |p| p.len());
            (confirmed == speakers.len() && known == speakers.len()).then_some(())
        },
    )
    .await;
    let assigned = o
        .post(&format!("{event}/slots/auto-assign"), &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        assigned["assigned"].as_array().unwrap().len(),
        speakers.len(),
        "{assigned}"
    );
    for state in [
        "speaker_brainstorming",
        "speaker_assignment",
        "speaker_outreach",
        "content_collection",
        "quality_review",
        "slot_assignment",
        "agenda_finalization",
    ] {
        o.post_current(
            &event,
            &format!("{event}/workflow"),
            &json!({"workflowState": state}),
        )
        .await
        .expect(StatusCode::OK);
    }
    for status in ["topic_defined", "speakers_invited", "agenda_draft"] {
        o.post_current(
            &event,
            &format!("{event}/status"),
            &json!({"status": status}),
        )
        .await
        .expect(StatusCode::OK);
    }
    // The first speaker's revision is not approved yet: publication names them.
    let refused = o
        .post_current(
            &event,
            &format!("{event}/status"),
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    let waiting = refused.body["unapprovedSpeakers"].to_string();
    assert!(
        waiting.contains(&speakers[0].name),
        "names {}: {waiting}",
        speakers[0].name
    );
    approve(o, &speakers[0]).await;
    for status in ["published", "registration_open"] {
        // The reviews were approved a moment ago in the speakers service; until the events
        // service has heard of them, publication names the speakers still waiting.
        let moved = fleet_tests::eventually(
            std::time::Duration::from_secs(60),
            "every approval reached the events service",
            || async {
                let answer = o
                    .post_current(
                        &event,
                        &format!("{event}/status"),
                        &json!({"status": status}),
                    )
                    .await;
                let waiting = answer.status == StatusCode::CONFLICT
                    && answer.body["unapprovedSpeakers"].is_array();
                (!waiting).then_some(answer)
            },
        )
        .await
        .expect(StatusCode::OK);
        assert_eq!(moved["status"], status);
    }
    for speaker in speakers {
        let history = format!("/api/v1/speakers/{}/history", speaker.id);
        fleet_tests::eventually(
            std::time::Duration::from_secs(60),
            "the published session is in the speaker's history",
            || async {
                let engagements = speaker.caller.get(&history).await.expect(StatusCode::OK);
                let shown = engagements.as_array().is_some_and(|e| {
                    e.iter()
                        .any(|x| x["sessionId"] == speaker.session.0.as_str())
                });
                shown.then_some(())
            },
        )
        .await;
    }
}
