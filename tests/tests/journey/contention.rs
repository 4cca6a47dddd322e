//! Contention through the gateway: 2,000 attendees rush an event of 300 seats while some of
//! them cancel at once, and the event's organizers demote each other at the same moment.
//! The seats taken never exceed the capacity, every seat given back goes to someone
//! waiting, every registration ends confirmed, waitlisted or cancelled, and the event keeps
//! two organizers.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fleet_tests::api::Api;
use futures::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::gateway::{new_attendee, Caller, SubjectIds};
use crate::Journey;

const ATTENDEES: usize = 2000;
const SEATS: i64 = 300;
/// Every twentieth attendee cancels right after registering: 100 cancellations.
const CANCEL_EVERY: usize = 20;
const CONCURRENCY: usize = 64;
/// Event organizers to demote, and how many of them must stay.
const ORGANIZERS: usize = 5;
const ORGANIZERS_KEPT: usize = 2;

#[tokio::test]
async fn two_thousand_attendees_rush_three_hundred_seats_while_some_cancel_and_organizers_demote_each_other(
) {
    let started = Instant::now();
    let journey = Journey::start();
    let organizer = Api::at(
        &journey.fleet.gateway,
        Some(journey.organizer.token().to_owned()),
    );
    let number = 1000 + (Uuid::new_v4().as_u128() % 99_000) as i32;
    let (event_id, _, _) =
        fleet_tests::planning::published_evening(&organizer, number, SEATS as i32).await;
    fleet_tests::planning::walk_status(&organizer, &event_id, &["registration_open"]).await;
    let attendees = attendees(&journey).await;
    let approvals = demotion_requests(&journey, &event_id).await;

    let watching = Arc::new(AtomicBool::new(true));
    let most_taken = Arc::new(AtomicI64::new(0));
    let watcher = tokio::spawn(watch_seats(
        journey
            .public
            .with_token("contention-watcher", &["organizer"], SubjectIds::default()),
        event_id.clone(),
        watching.clone(),
        most_taken.clone(),
    ));
    let approver =
        journey
            .public
            .with_token("contention-approver", &["organizer"], SubjectIds::default());
    let empty = json!({});
    let (cancelled, demotions) = tokio::join!(
        rush(&attendees, &event_id),
        stream::iter(&approvals)
            .map(|path| approver.post(path, &empty))
            .buffer_unordered(ORGANIZERS)
            .collect::<Vec<_>>()
    );

    let lister =
        journey
            .public
            .with_token("contention-lister", &["organizer"], SubjectIds::default());
    let statuses = settled(&lister, &event_id).await;
    watching.store(false, Ordering::SeqCst);
    watcher.await.expect("watcher");
    let count = |status: &str| statuses.iter().filter(|s| *s == status).count();
    assert_eq!(statuses.len(), ATTENDEES, "one registration per attendee");
    assert_eq!(
        count("confirmed") as i64,
        SEATS,
        "every seat taken, none twice"
    );
    assert_eq!(count("cancelled"), cancelled);
    assert_eq!(count("waitlisted"), ATTENDEES - SEATS as usize - cancelled);
    let taken = lister.get(&format!("/api/v1/events/{event_id}")).await;
    assert_eq!(taken.body["currentAttendeeCount"], SEATS);
    let most = most_taken.load(Ordering::SeqCst);
    assert!(most <= SEATS, "{most} seats taken of {SEATS}");

    let approved = demotions
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = demotions
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT)
        .count();
    let answers: Vec<&str> = demotions.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(approved, ORGANIZERS - ORGANIZERS_KEPT, "{answers:?}");
    assert_eq!(refused, ORGANIZERS_KEPT);
    assert_eq!(event_organizers(&lister, &event_id).await, ORGANIZERS_KEPT);
    eprintln!(
        "contention: {ATTENDEES} registrations for {SEATS} seats, {cancelled} cancelled, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The attendees of the rush, each acting with their own token.
async fn attendees(journey: &Journey) -> Vec<Caller> {
    stream::iter(0..ATTENDEES)
        .map(|n| async move {
            let label = format!("rush-{}-{n}", journey.run);
            new_attendee(&journey.public, &label, "Rush").await.1
        })
        .buffered(CONCURRENCY)
        .collect()
        .await
}

/// Every attendee registers; every twentieth cancels as soon as the answer is there, while
/// its seat may still be on its way. Returns how many cancelled.
async fn rush(attendees: &[Caller], event_id: &str) -> usize {
    let cancelled: Vec<bool> = stream::iter(attendees.iter().enumerate())
        .map(|(n, attendee)| async move {
            let registration = attendee
                .post("/api/v1/registrations", &json!({"eventId": event_id}))
                .await
                .expect(StatusCode::CREATED);
            if n % CANCEL_EVERY != 0 {
                return false;
            }
            let id = registration["id"].as_str().unwrap();
            let answer = attendee
                .post(&format!("/api/v1/registrations/{id}/cancel"), &json!({}))
                .await
                .expect(StatusCode::OK);
            assert_eq!(answer["status"], "cancelled");
            true
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    cancelled.into_iter().filter(|c| *c).count()
}

/// Five organizers of the event and a pending demotion of each: the approval paths.
async fn demotion_requests(journey: &Journey, event_id: &str) -> Vec<String> {
    let granter =
        journey
            .public
            .with_token("contention-granter", &["organizer"], SubjectIds::default());
    let mut approvals = Vec::new();
    for n in 0..ORGANIZERS {
        let user = format!("contention-organizer-{}-{n}", journey.run);
        granter
            .post(
                "/api/v1/roles",
                &json!({"userId": user, "role": "organizer", "eventId": event_id}),
            )
            .await
            .expect(StatusCode::CREATED);
        let request = granter
            .post(
                "/api/v1/role-change-requests",
                &json!({"userId": user, "currentRole": "organizer", "requestedRole": "attendee",
                    "eventId": event_id, "reason": "steps back"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let id = request["id"].as_str().unwrap();
        approvals.push(format!("/api/v1/role-change-requests/{id}/approve"));
    }
    approvals
}

/// Reads the event's seat count until told to stop, keeping the largest seen.
async fn watch_seats(
    watcher: Caller,
    event_id: String,
    watching: Arc<AtomicBool>,
    most: Arc<AtomicI64>,
) {
    while watching.load(Ordering::SeqCst) {
        let event = watcher.get(&format!("/api/v1/events/{event_id}")).await;
        if let Some(taken) = event.body["currentAttendeeCount"].as_i64() {
            most.fetch_max(taken, Ordering::SeqCst);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The statuses of the event's registrations once none waits for its seat any more.
async fn settled(lister: &Caller, event_id: &str) -> Vec<String> {
    for _ in 0..300 {
        let statuses = statuses(lister, event_id).await;
        if statuses.len() == ATTENDEES && statuses.iter().all(|s| s != "registered") {
            return statuses;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    panic!("the registrations of {event_id} did not settle within 5 minutes");
}

async fn statuses(lister: &Caller, event_id: &str) -> Vec<String> {
    let mut statuses = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/registrations?eventId={event_id}&limit=100");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = lister.get(&path).await.expect(StatusCode::OK);
        statuses.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["status"].as_str().unwrap().to_owned()),
        );
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return statuses,
        }
    }
}

/// Active organizers of the event's own scope.
async fn event_organizers(lister: &Caller, event_id: &str) -> usize {
    let roles = lister
        .get("/api/v1/roles?activeOnly=true&limit=100")
        .await
        .expect(StatusCode::OK);
    roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r: &&Value| r["role"] == "organizer" && r["eventId"] == event_id)
        .count()
}
