//! The invitation saga end to end with the real bus: an organizer invites a speaker to a
//! session, the speaker answers with the signed link (no account), the events service shows
//! the answer on the session.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{eventually, TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

async fn session(events: &Api, event_id: &str, title: &str, hour: u32) -> String {
    let body = json!({"title": title, "sessionType": "presentation", "startTime": format!("2027-03-12T{hour}:00:00Z"), "endTime": format!("2027-03-12T{hour}:40:00Z"), "room": "Arena"});
    events
        .post(&format!("/api/v1/events/{event_id}/sessions"), &body)
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn invite(speakers: &Api, speaker_id: &str, session_id: &str) -> Value {
    let body = json!({"speakerId": speaker_id, "sessionId": session_id, "role": "primary_speaker", "presentationTitle": "Event Sourcing in Practice"});
    eventually(
        Duration::from_secs(60),
        "the session is known to the speakers service",
        || async {
            let answer = speakers.post("/api/v1/invitations", &body).await;
            (answer.status == StatusCode::CREATED).then_some(answer.body)
        },
    )
    .await
}

async fn speakers_of(events: &Api, event_id: &str, session_id: &str) -> Vec<Value> {
    let sessions = events
        .get(&format!("/api/v1/events/{event_id}/sessions"))
        .await
        .expect(StatusCode::OK);
    sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session_id)
        .unwrap()["speakers"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_speaker_answers_invitations_with_the_link_and_events_sees_the_answer() {
    let db = TestDb::create().await;
    let events_service = TestService::events(&db).await;
    let companies_service = TestService::companies_beside(&db, &events_service).await;
    let speakers_service = TestService::speakers_beside(&db, &events_service).await;
    let companies = Api::as_roles(&companies_service, &["organizer"]);
    let events = Api::as_roles(&events_service, &["organizer"]);
    let speakers = Api::as_roles(&speakers_service, &["organizer"]);

    let company = companies
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme AG", "industry": "Software"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let unknown = speakers
        .post("/api/v1/speakers", &json!({"email": "x@example.ch", "firstName": "X", "lastName": "Y", "companyId": Uuid::new_v4()}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let speaker = eventually(Duration::from_secs(60), "the company is known to the speakers service", || async {
        let body = json!({"email": "Mia@Example.ch", "firstName": "Mia", "lastName": "Muster", "companyId": company["id"], "profile": {"shortBio": "Architect", "languages": ["de", "en"]}});
        let answer = speakers.post("/api/v1/speakers", &body).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let speaker_id = speaker["id"].as_str().unwrap().to_owned();
    let event = events
        .post("/api/v1/events", &evening_event(95, 100))
        .await
        .expect(StatusCode::CREATED);
    let event_id = event["id"].as_str().unwrap().to_owned();
    let first = session(&events, &event_id, "Event Sourcing", 16).await;
    let second = session(&events, &event_id, "Zero Trust", 17).await;

    let invitation = invite(&speakers, &speaker_id, &first).await;
    assert_eq!(invitation["assignment"]["workflowState"], "contacted");
    assert!(invitation["invitationLink"]
        .as_str()
        .unwrap()
        .contains("token="));
    let (id, token) = (
        invitation["assignment"]["id"].as_str().unwrap().to_owned(),
        invitation["token"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        speakers
            .post(
                "/api/v1/invitations",
                &json!({"speakerId": speaker_id, "sessionId": first, "role": "co_speaker"})
            )
            .await
            .status,
        StatusCode::CONFLICT
    );

    let public = Api::anonymous(&speakers_service);
    let viewed = public
        .get(&format!("/api/v1/invitations/{id}?token={token}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(viewed["sessionId"], first.as_str());
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        public
            .post(
                &format!("/api/v1/invitations/{id}/accept"),
                &json!({"token": tampered})
            )
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let expired = speakers::invitation::sign_claims(
        service_kit::config::DEV_SIGNING_SECRET,
        &speakers::invitation::InvitationClaims {
            sub: id.parse().unwrap(),
            jti: Uuid::now_v7(),
            spk: speaker_id.parse().unwrap(),
            exp: chrono::Utc::now().timestamp() - 60,
        },
    );
    assert_eq!(
        public
            .post(
                &format!("/api/v1/invitations/{id}/accept"),
                &json!({"token": expired})
            )
            .await
            .status,
        StatusCode::GONE
    );

    let accepted = public
        .post(
            &format!("/api/v1/invitations/{id}/accept"),
            &json!({"token": token}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(accepted["workflowState"], "accepted");
    assert_eq!(
        public
            .post(
                &format!("/api/v1/invitations/{id}/accept"),
                &json!({"token": token})
            )
            .await
            .status,
        StatusCode::OK,
        "accepting twice is harmless"
    );
    assert_eq!(
        public
            .post(
                &format!("/api/v1/invitations/{id}/decline"),
                &json!({"token": token})
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    eventually(
        Duration::from_secs(60),
        "events shows the accepted speaker",
        || async {
            let on_session = speakers_of(&events, &event_id, &first).await;
            (on_session.len() == 1
                && on_session[0]["isConfirmed"] == true
                && on_session[0]["speakerId"] == speaker_id.as_str())
            .then_some(())
        },
    )
    .await;

    let second_invitation = invite(&speakers, &speaker_id, &second).await;
    let (second_id, second_token) = (
        second_invitation["assignment"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        second_invitation["token"].as_str().unwrap().to_owned(),
    );
    eventually(
        Duration::from_secs(60),
        "events shows the pending invitation",
        || async {
            let on_session = speakers_of(&events, &event_id, &second).await;
            (on_session.len() == 1 && on_session[0]["isConfirmed"] == false).then_some(())
        },
    )
    .await;
    let declined = public
        .post(
            &format!("/api/v1/invitations/{second_id}/decline"),
            &json!({"token": second_token, "reason": "on holiday"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(declined["declineReason"], "on holiday");
    eventually(
        Duration::from_secs(60),
        "events drops the declined speaker",
        || async {
            speakers_of(&events, &event_id, &second)
                .await
                .is_empty()
                .then_some(())
        },
    )
    .await;

    let mia = fleet_tests::services::token_of_speaker(&speaker_id);
    let me = Api::at(&speakers_service.base_url, Some(mia));
    assert_eq!(
        me.get("/api/v1/speakers/me").await.expect(StatusCode::OK)["email"],
        "mia@example.ch"
    );
    assert_eq!(
        me.get(&format!("/api/v1/speakers/{}", Uuid::now_v7()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        me.post(
            "/api/v1/invitations",
            &json!({"speakerId": speaker_id, "sessionId": second, "role": "panelist"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let preferences = json!({"preferredTimeSlots": [{"startTime": "17:00", "endTime": "18:00", "preference": "strongly_preferred"}, {"startTime": "18:00", "endTime": "20:00", "preference": "unavailable"}], "cannotPresentAfter": "18:00", "ownLaptopRequired": true});
    me.put(
        &format!("/api/v1/speakers/{speaker_id}/slot-preferences/{event_id}"),
        &preferences,
    )
    .await
    .expect(StatusCode::OK);
    let foreign = me
        .put(
            &format!(
                "/api/v1/speakers/{}/slot-preferences/{event_id}",
                Uuid::now_v7()
            ),
            &preferences,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let elsewhere = me
        .put(
            &format!(
                "/api/v1/speakers/{speaker_id}/slot-preferences/{}",
                Uuid::now_v7()
            ),
            &preferences,
        )
        .await;
    assert_eq!(elsewhere.body["errors"][0]["field"], "eventId");
    let backwards = me.put(&format!("/api/v1/speakers/{speaker_id}/slot-preferences/{event_id}"), &json!({"preferredTimeSlots": [{"startTime": "18:00", "endTime": "17:00", "preference": "preferred"}]})).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    eventually(
        Duration::from_secs(60),
        "the events service holds the preferences for slot assignment",
        || async {
            let stored = events
                .get(&format!("/api/v1/events/{event_id}/slot-preferences"))
                .await
                .body;
            let mine = stored
                .as_array()?
                .iter()
                .find(|p| p["speakerId"] == speaker_id.as_str())?
                .clone();
            (mine["cannotPresentAfter"] == "18:00:00"
                && mine["preferredTimeSlots"][1]["preference"] == "unavailable")
                .then_some(())
        },
    )
    .await;

    events
        .post(
            &format!("/api/v1/events/{event_id}/slots/generate"),
            &json!({"slotCount": 3}),
        )
        .await
        .expect(StatusCode::OK);
    let assigned = events
        .post(
            &format!("/api/v1/events/{event_id}/slots/auto-assign"),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);
    let placed = assigned["assigned"].as_array().unwrap();
    assert_eq!(
        placed.len(),
        1,
        "only the accepted session is placed: {assigned}"
    );
    assert_eq!(placed[0]["sessionId"], first.as_str());
    let slot = assigned["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == placed[0]["slotId"])
        .unwrap();
    assert_eq!(
        slot["startTime"], "2027-03-12T16:00:00Z",
        "the speaker's strongly preferred 17:00 Bern time"
    );

    assert_eq!(
        me.get(&format!("/api/v1/speakers/{speaker_id}/history"))
            .await
            .expect(StatusCode::OK),
        json!([])
    );
    // The slot assignment moved the speaker on by itself: from `slot_assigned` a refused
    // move names the review and the final agenda as the next steps.
    let workflow = format!("/api/v1/session-speakers/{id}/workflow");
    eventually(
        Duration::from_secs(60),
        "the speaker is slot_assigned",
        || async {
            let probe = speakers
                .post(&workflow, &json!({"workflowState": "ready"}))
                .await;
            assert_eq!(probe.status, StatusCode::CONFLICT);
            (probe.body["allowedTransitions"] == json!(["quality_reviewed", "final_agenda"]))
                .then_some(())
        },
    )
    .await;
    for step in ["quality_reviewed", "final_agenda"] {
        let moved = speakers
            .post(&workflow, &json!({"workflowState": step}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(moved["workflowState"], step);
    }
    let history = me
        .get(&format!("/api/v1/speakers/{speaker_id}/history"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["title"], "Event Sourcing");
    assert_eq!(
        me.post(
            &format!("/api/v1/session-speakers/{id}/workflow"),
            &json!({"workflowState": "final_agenda"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

/// The services an invitation needs, a speaker of a new company and an event numbered
/// `number`, with organizers' clients of events and speakers.
struct Stage {
    _events: TestService,
    _companies: TestService,
    speakers_service: TestService,
    events: Api,
    speakers: Api,
    speaker_id: String,
    event_id: String,
}

async fn stage(db: &TestDb, email: &str, number: i32) -> Stage {
    let events_service = TestService::events(db).await;
    let companies_service = TestService::companies_beside(db, &events_service).await;
    let speakers_service = TestService::speakers_beside(db, &events_service).await;
    let company = Api::as_roles(&companies_service, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": format!("Company {number} AG"), "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let speakers = Api::as_roles(&speakers_service, &["organizer"]);
    let speaker = eventually(Duration::from_secs(60), "company known", || async {
        let answer = speakers.post("/api/v1/speakers", &json!({"email": email, "firstName": "Leo", "lastName": "L", "companyId": company["id"]})).await;
        (answer.status == StatusCode::CREATED).then_some(answer.body)
    })
    .await;
    let events = Api::as_roles(&events_service, &["organizer"]);
    let event = events
        .post("/api/v1/events", &evening_event(number, 100))
        .await
        .expect(StatusCode::CREATED);
    Stage {
        speaker_id: speaker["id"].as_str().unwrap().to_owned(),
        event_id: event["id"].as_str().unwrap().to_owned(),
        _events: events_service,
        _companies: companies_service,
        speakers_service,
        events,
        speakers,
    }
}

#[tokio::test]
async fn a_withdrawn_invitation_link_stops_working_and_a_new_invitation_sends_a_new_one() {
    let db = TestDb::create().await;
    let Stage {
        speakers_service,
        events,
        speakers,
        speaker_id,
        event_id,
        ..
    } = stage(&db, "leo@example.ch", 96).await;
    let session_id = session(&events, &event_id, "Data Mesh", 16).await;
    let invitation = invite(&speakers, &speaker_id, &session_id).await;
    let (id, token) = (
        invitation["assignment"]["id"].as_str().unwrap(),
        invitation["token"].as_str().unwrap(),
    );

    let withdrawn = speakers
        .post(&format!("/api/v1/invitations/{id}/withdraw"), &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(withdrawn["workflowState"], "open");
    let public = Api::anonymous(&speakers_service);
    assert_eq!(
        public
            .post(
                &format!("/api/v1/invitations/{id}/accept"),
                &json!({"token": token})
            )
            .await
            .status,
        StatusCode::GONE
    );
    let again = speakers
        .post(&format!("/api/v1/invitations/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["currentState"], "open");
    // Moving the assignment on by hand would leave the speaker without a link.
    let by_hand = speakers
        .post(
            &format!("/api/v1/session-speakers/{id}/workflow"),
            &json!({"workflowState": "contacted"}),
        )
        .await;
    assert_eq!(by_hand.status, StatusCode::CONFLICT);

    // Invited again: the same assignment with a new link; the withdrawn one stays dead.
    let renewed = invite(&speakers, &speaker_id, &session_id).await;
    assert_eq!(renewed["assignment"]["id"], id);
    assert_eq!(renewed["assignment"]["workflowState"], "contacted");
    let new_token = renewed["token"].as_str().unwrap();
    assert_ne!(new_token, token);
    let old_link = public
        .post(
            &format!("/api/v1/invitations/{id}/accept"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(old_link.status, StatusCode::GONE);
    let accepted = public
        .post(
            &format!("/api/v1/invitations/{id}/accept"),
            &json!({"token": new_token}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(accepted["workflowState"], "accepted");
    let once_more = speakers
        .post(
            "/api/v1/invitations",
            &json!({"speakerId": speaker_id, "sessionId": session_id, "role": "primary_speaker"}),
        )
        .await;
    assert_eq!(once_more.status, StatusCode::CONFLICT, "{}", once_more.body);
}

#[tokio::test]
async fn an_erased_speakers_links_open_nothing_and_their_decline_reasons_are_forgotten() {
    let db = TestDb::create().await;
    let Stage {
        speakers_service,
        events,
        speakers,
        speaker_id,
        event_id,
        ..
    } = stage(&db, "ida@example.ch", 97).await;
    let (first, second) = (
        session(&events, &event_id, "CQRS", 16).await,
        session(&events, &event_id, "Sagas", 17).await,
    );
    let declined = invite(&speakers, &speaker_id, &first).await;
    let open = invite(&speakers, &speaker_id, &second).await;
    let link = |invitation: &Value| {
        (
            invitation["assignment"]["id"].as_str().unwrap().to_owned(),
            invitation["token"].as_str().unwrap().to_owned(),
        )
    };
    let ((declined_id, declined_token), (open_id, open_token)) = (link(&declined), link(&open));
    let public = Api::anonymous(&speakers_service);
    public
        .post(
            &format!("/api/v1/invitations/{declined_id}/decline"),
            &json!({"token": declined_token, "reason": "Caring for my mother that week"}),
        )
        .await
        .expect(StatusCode::OK);

    let themself = Api::at(
        &speakers_service.base_url,
        Some(fleet_tests::services::token_of_speaker(&speaker_id)),
    );
    let erased = themself
        .delete(&format!("/api/v1/speakers/{speaker_id}"))
        .await;

    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    let viewed = public
        .get(&format!("/api/v1/invitations/{open_id}?token={open_token}"))
        .await;
    assert_eq!(viewed.status, StatusCode::GONE, "{:?}", viewed.body);
    assert!(
        !viewed.body.to_string().contains("Sagas"),
        "the link shows nothing of the invitation"
    );
    let accepted = public
        .post(
            &format!("/api/v1/invitations/{open_id}/accept"),
            &json!({"token": open_token}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::GONE);
    let page = public
        .get(&format!(
            "/speaker/invitations/{open_id}?token={open_token}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    let kept: Vec<Option<String>> = sqlx::query_scalar(
        "select decline_reason from speakers.session_speakers where speaker_id = $1",
    )
    .bind(speaker_id.parse::<Uuid>().unwrap())
    .fetch_all(&sqlx::PgPool::connect(&db.admin_url()).await.unwrap())
    .await
    .unwrap();
    assert_eq!(
        kept,
        vec![None, None],
        "no reason in the speaker's words is kept"
    );
}
