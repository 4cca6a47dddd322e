//! The partner-votes saga with the real bus: partners' votes move a topic's influence score
//! in the events service by tier weight, a withdrawn vote and a new tier move it again,
//! an accepted suggestion joins the topic library, and a partner's active state sets its
//! company's partner flag. Bad input is refused naming the field, with nothing changed.

use std::time::Duration;

use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::{eventually, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// Waits until the events service shows `topic` with `score`.
async fn influence_becomes(fleet: &PartnersFleet, topic: Uuid, score: Value) {
    let events = fleet.organizer(&fleet.events);
    eventually(
        Duration::from_secs(20),
        &format!("influence {score}"),
        || async {
            let body = events.get(&format!("/api/v1/topics/{topic}")).await.body;
            (body["partnerInfluenceScore"] == score).then_some(())
        },
    )
    .await;
}

/// Waits until the partners service knows `topic` (its votes open).
async fn topic_known(fleet: &PartnersFleet, topic: Uuid, company: Uuid) {
    let partner = fleet.partner_of(company);
    eventually(
        Duration::from_secs(20),
        "the topic reaches partners",
        || async {
            let answer = partner
                .get(&format!("/api/v1/topic-votes?topicId={topic}"))
                .await;
            (answer.status == StatusCode::OK).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn gold_and_bronze_votes_weigh_by_tier_on_the_topic() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let (acme, bern) = (
        fleet.company("Acme AG").await,
        fleet.company("Bern IT").await,
    );
    let gold = fleet.partner(acme, "gold").await;
    fleet.partner(bern, "bronze").await;
    let topic = fleet.topic("Event sourcing in practice").await;
    topic_known(&fleet, topic, acme).await;

    let fleet = &fleet;
    let vote = |company: Uuid, value: i64| async move {
        fleet
            .partner_of(company)
            .put(
                &format!("/api/v1/topic-votes/{topic}"),
                &json!({"value": value}),
            )
            .await
    };
    let cast = vote(acme, 5).await.expect(StatusCode::OK);
    assert_eq!(
        (cast["voteWeight"].as_i64(), cast["partnerId"].as_str()),
        (Some(2), Some(gold.to_string().as_str()))
    );
    vote(bern, 1).await.expect(StatusCode::OK);
    // Gold weighs 2, bronze 1: 100 × (2 × 4 + 1 × 0) ÷ (4 × 3).
    influence_becomes(fleet, topic, json!(66.67)).await;

    // Refused votes change nothing.
    vote(acme, 0)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("value"));
    vote(acme, 6)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("value"));
    fleet
        .organizer(&fleet.partners)
        .put(
            &format!("/api/v1/topic-votes/{topic}"),
            &json!({"value": 3}),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN, None);

    // Bronze withdraws: only gold's 5 is left.
    let withdrawn = fleet
        .partner_of(bern)
        .delete(&format!("/api/v1/topic-votes/{topic}"))
        .await;
    assert_eq!(withdrawn.status, StatusCode::NO_CONTENT);
    influence_becomes(fleet, topic, json!(100.0)).await;

    // Organizers sort the library by influence and filter on it.
    let second = fleet.topic("Team topologies").await;
    let sorted = fleet
        .organizer(&fleet.events)
        .get("/api/v1/topics?sort=partner_influence")
        .await
        .expect(StatusCode::OK);
    let order: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [topic.to_string(), second.to_string()]);
    let influential = fleet
        .organizer(&fleet.events)
        .get("/api/v1/topics?minPartnerInfluence=50")
        .await
        .expect(StatusCode::OK);
    assert_eq!(influential["items"].as_array().unwrap().len(), 1);

    // The company's partner flag followed the partner's active state.
    let companies = fleet.organizer(&fleet.companies);
    eventually(Duration::from_secs(20), "Acme is a partner", || async {
        let body = companies
            .get(&format!("/api/v1/companies/{acme}"))
            .await
            .body;
        (body["isPartner"] == true).then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_accepted_suggestion_joins_the_library_and_bad_input_changes_nothing() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let acme = fleet.company("Acme AG").await;
    let partner = fleet.partner(acme, "platinum").await;
    let portal = fleet.partner_of(acme);

    let suggested = portal
        .post(
            "/api/v1/topic-suggestions",
            &json!({"title": "Platform engineering", "category": "tools_platforms", "businessJustification": "Our teams ask for it"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (
            suggested["status"].as_str(),
            suggested["partnerId"].as_str()
        ),
        (Some("submitted"), Some(partner.to_string().as_str()))
    );
    let id = id_of(&suggested);
    let organizer = fleet.organizer(&fleet.partners);
    let path = format!("/api/v1/topic-suggestions/{id}/decision");
    organizer
        .post_if(&path, &json!({"status": "rejected"}), "\"1\"")
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));
    let reviewed = organizer
        .post_if(&path, &json!({"status": "under_review"}), "\"1\"")
        .await;
    let etag = reviewed.etag();
    let accepted = organizer
        .post_if(&path, &json!({"status": "accepted"}), &etag)
        .await
        .expect(StatusCode::OK);
    assert_eq!(accepted["reviewedBy"], "user-organizer");
    let topic = accepted["topicId"].as_str().unwrap().to_owned();
    let events = fleet.organizer(&fleet.events);
    let joined = eventually(
        Duration::from_secs(20),
        "the topic joins the library",
        || async {
            let answer = events.get(&format!("/api/v1/topics/{topic}")).await;
            (answer.status == StatusCode::OK).then_some(answer.body)
        },
    )
    .await;
    assert_eq!(
        (joined["title"].as_str(), joined["category"].as_str()),
        (Some("Platform engineering"), Some("tools_platforms"))
    );
    // The suggestion cannot move back.
    organizer
        .post_if(
            &path,
            &json!({"status": "rejected", "reason": "late"}),
            &format!("\"{}\"", accepted["version"]),
        )
        .await
        .expect_problem(StatusCode::CONFLICT, None);

    // An organizer names a partner that does not exist: refused, nothing stored.
    organizer
        .post(
            "/api/v1/topic-suggestions",
            &json!({"partnerId": Uuid::now_v7(), "title": "Ghost", "category": "technical"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("partnerId"));
    let all = organizer
        .get("/api/v1/topic-suggestions")
        .await
        .expect(StatusCode::OK);
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // Contacts: one primary at most.
    let contact = |email: &str, primary: bool| json!({"firstName": "Anna", "lastName": "Muster", "email": email, "role": "CTO", "language": "de", "isPrimary": primary});
    let contacts = format!("/api/v1/partners/{partner}/contacts");
    portal
        .post(&contacts, &contact("anna@acme.ch", true))
        .await
        .expect(StatusCode::CREATED);
    portal
        .post(&contacts, &contact("ben@acme.ch", true))
        .await
        .expect_problem(StatusCode::CONFLICT, Some("isPrimary"));
    portal
        .post(&contacts, &contact("not-an-address", false))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("email"));
    let listed = portal.get(&contacts).await.expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
