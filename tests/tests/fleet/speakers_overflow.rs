//! A speaker the overflow voting does not select hears it by mail and leaves the session:
//! their assignment ends `declined` with the reason, the events context no longer lists
//! them on the session, and the content context no longer lets them at its materials.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::mail::wait_for_mails;
use fleet_tests::people::start_group;
use fleet_tests::planning::evening_event;
use fleet_tests::services::{token_of_speaker, TestService};
use fleet_tests::{eventually, unique, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_speaker_not_selected_in_the_overflow_is_told_and_leaves_the_session() {
    let db = TestDb::create().await;
    let names = [
        "events",
        "companies",
        "attendees",
        "speakers",
        "notifications",
        "content",
    ];
    let [events_service, companies, _, speakers_service, _, content]: [TestService; 6] =
        start_group(&db, &names)
            .await
            .try_into()
            .ok()
            .expect("six services");
    let events = Api::as_user(&events_service, "anna", &["organizer"]);
    let speakers = Api::as_roles(&speakers_service, &["organizer"]);
    let company = Api::as_roles(&companies, &["organizer"])
        .post(
            "/api/v1/companies",
            &json!({"name": "Overflow AG", "industry": "IT"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let event = events
        .post("/api/v1/events", &evening_event(88, 100))
        .await
        .expect(StatusCode::CREATED);
    let event_id = event["id"].as_str().unwrap().to_owned();
    events
        .post(
            &format!("/api/v1/events/{event_id}/slots/generate"),
            &json!({"slotCount": 3}),
        )
        .await
        .expect(StatusCode::OK);

    let mut invited: Vec<(String, String, String, String, String)> = Vec::new();
    for (n, name) in ["ulla", "vera", "wim", "xena"].iter().enumerate() {
        let email = format!("{}@example.ch", unique(name));
        let body = json!({"email": email, "firstName": name, "lastName": "Overflow", "companyId": company["id"],
            "communicationPreferences": {"language": "en", "emailNotifications": true}});
        let speaker = eventually(Duration::from_secs(60), "the company is known", || async {
            let answer = speakers.post("/api/v1/speakers", &body).await;
            (answer.status == StatusCode::CREATED).then_some(answer.body)
        })
        .await;
        let session = events
            .post(&format!("/api/v1/events/{event_id}/sessions"), &json!({"title": format!("Talk {n}"), "sessionType": "presentation",
                "startTime": "2027-03-12T16:00:00Z", "endTime": "2027-03-12T16:40:00Z", "room": format!("Room {n}")}))
            .await
            .expect(StatusCode::CREATED);
        let invite = json!({"speakerId": speaker["id"], "sessionId": session["id"], "role": "primary_speaker"});
        let invitation = eventually(Duration::from_secs(60), "the session is known", || async {
            let answer = speakers.post("/api/v1/invitations", &invite).await;
            (answer.status == StatusCode::CREATED).then_some(answer.body)
        })
        .await;
        let assignment = invitation["assignment"]["id"].as_str().unwrap().to_owned();
        let mail = wait_for_mails(&email, 1).await.remove(0);
        let token = mail
            .text()
            .split("?token=")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap()
            .to_owned();
        Api::at(&speakers_service.base_url, None)
            .post(
                &format!("/api/v1/invitations/{assignment}/accept"),
                &json!({"token": token}),
            )
            .await
            .expect(StatusCode::OK);
        invited.push((
            email,
            speaker["id"].as_str().unwrap().to_owned(),
            assignment,
            token,
            session["id"].as_str().unwrap().to_owned(),
        ));
    }

    let opened = eventually(
        Duration::from_secs(60),
        "every acceptance reached events",
        || async {
            let answer = events
                .post(
                    &format!("/api/v1/events/{event_id}/overflow"),
                    &json!({"votingDeadline": "2030-01-01T00:00:00Z"}),
                )
                .await;
            (answer.status == StatusCode::CREATED).then_some(answer.body)
        },
    )
    .await;
    assert_eq!(opened["seats"], 3);
    let materials = |n: usize| {
        let (_, speaker, _, _, session) = &invited[n];
        let path = format!("/api/v1/session-materials/{session}");
        let caller = Api::at(&content.base_url, Some(token_of_speaker(speaker)));
        async move { caller.get(&path).await.status }
    };
    eventually(
        Duration::from_secs(60),
        "content knows the last speaker speaks",
        || async { (materials(3).await == StatusCode::OK).then_some(()) },
    )
    .await;
    for (_, speaker, _, _, _) in &invited[..3] {
        let vote = format!("/api/v1/events/{event_id}/overflow/votes/{speaker}");
        events
            .put(&vote, &json!({"vote": "approve"}))
            .await
            .expect(StatusCode::OK);
    }
    events
        .post(
            &format!("/api/v1/events/{event_id}/overflow/complete"),
            &json!({}),
        )
        .await
        .expect(StatusCode::OK);

    let (email, _, assignment, token, _) = &invited[3];
    let mails = wait_for_mails(email, 2).await;
    assert!(
        mails[1].subject.starts_with("Your talk at"),
        "{}",
        mails[1].subject
    );
    let view = format!("/api/v1/invitations/{assignment}?token={token}");
    let public = Api::at(&speakers_service.base_url, None);
    eventually(
        Duration::from_secs(60),
        "the assignment is declined",
        || async {
            let shown = public.get(&view).await.expect(StatusCode::OK);
            (shown["workflowState"] == "declined").then_some(())
        },
    )
    .await;
    let sessions: Value = events
        .get(&format!("/api/v1/events/{event_id}/sessions"))
        .await
        .expect(StatusCode::OK);
    let listed: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["speakers"].as_array().unwrap())
        .collect();
    assert_eq!(
        listed.len(),
        3,
        "only the selected speakers stay: {sessions}"
    );
    eventually(
        Duration::from_secs(60),
        "content no longer lets the last speaker at the session's materials",
        // Unpublished materials are not found by those who do not manage them.
        || async { (materials(3).await == StatusCode::NOT_FOUND).then_some(()) },
    )
    .await;
    assert_eq!(
        materials(0).await,
        StatusCode::OK,
        "a selected speaker stays"
    );
    assert_eq!(
        wait_for_mails(&invited[0].0, 1).await.len(),
        1,
        "the selected speaker gets no such mail"
    );
}
