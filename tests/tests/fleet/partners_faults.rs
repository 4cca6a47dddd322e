//! The partner-votes saga under kill -9: votes cast while the events service is dead are
//! applied once it is back, and votes whose announcements the partners service had not
//! published yet when it died go out after its restart; each vote counts once.

use std::time::Duration;

use fleet_tests::api::Api;
use fleet_tests::partners::PartnersFleet;
use fleet_tests::{eventually, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;
use uuid::Uuid;

async fn vote(portal: &Api, topic: Uuid, value: i64) {
    portal
        .put(
            &format!("/api/v1/topic-votes/{topic}"),
            &json!({"value": value}),
        )
        .await
        .expect(StatusCode::OK);
}

async fn score_becomes(fleet: &PartnersFleet, topic: Uuid, score: Value) {
    let events = fleet.organizer(&fleet.events);
    eventually(
        Duration::from_secs(60),
        &format!("the score {score}"),
        || async {
            let body = events.get(&format!("/api/v1/topics/{topic}")).await.body;
            (body["partnerInfluenceScore"] == score).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn votes_survive_kill_9_of_events_and_of_partners_and_count_once() {
    let db = TestDb::create().await;
    let mut fleet = PartnersFleet::start(&db).await;
    let mut companies = Vec::new();
    for (name, tier) in [
        ("Gold AG", "gold"),
        ("Bronze AG", "bronze"),
        ("Silver AG", "silver"),
        ("Strategic AG", "strategic"),
    ] {
        let company = fleet.company(name).await;
        fleet.partner(company, tier).await;
        companies.push(company);
    }
    let topic = fleet.topic("Resilience engineering").await;
    // The topic is in the partners' topic library before the events service dies.
    let admin_url = db.admin_url();
    eventually(
        Duration::from_secs(60),
        "the topic reaches partners",
        || async {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            let known: i64 = sqlx::query_scalar(
                "select count(*) from partners.topic_library where topic_id = $1",
            )
            .bind(topic)
            .fetch_one(&mut admin)
            .await
            .unwrap();
            (known == 1).then_some(())
        },
    )
    .await;

    // The events service dies; the votes are cast meanwhile.
    let portals = |fleet: &PartnersFleet| -> Vec<Api> {
        companies.iter().map(|c| fleet.partner_of(*c)).collect()
    };
    let portal = portals(&fleet);
    let (url, prefix) = fleet.events.crash().await;
    for (portal, value) in portal.iter().zip([5, 4, 2, 1]) {
        vote(portal, topic, value).await;
    }
    fleet.events = fleet_tests::TestService::restart_events(url, prefix).await;
    // Weights 2, 1, 1, 3: 100 × (2×4 + 1×3 + 1×1 + 3×0) ÷ (4 × 7).
    score_becomes(&fleet, topic, json!(42.86)).await;

    // Gold changes its vote, and the partners service dies right after answering.
    vote(&portal[0], topic, 1).await;
    fleet = fleet.with_partners_killed().await;
    score_becomes(&fleet, topic, json!(14.29)).await;
    // And once more with the events service killed between two votes.
    let portal = portals(&fleet);
    vote(&portal[1], topic, 5).await;
    fleet = fleet.with_events_killed().await;
    vote(&portal[2], topic, 5).await;
    // 100 × (0 + 1×4 + 1×4 + 0) ÷ 28.
    score_becomes(&fleet, topic, json!(28.57)).await;

    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let (votes, applied): (i64, i64) = sqlx::query_as(
        "select (select count(*) from events.partner_votes where topic_id = $1), \
         (select count(*) from events.inbox where event_type = 'partners.topic_vote.cast.v1')",
    )
    .bind(topic)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(
        (votes, applied),
        (4, 7),
        "four votes, seven casts applied once each"
    );
}
