//! Partner topic votes: partners of three tiers vote on a library topic (partners stores
//! each vote with its tier's weight and announces it → events keeps the vote and recomputes
//! the topic's partner influence score → partners keeps the score from the topic's
//! announcement). Effects: each vote once in partners (value, weight) and in events (value,
//! tier); the tier-weighted score in events' topics and in partners' topic library.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use fleet_tests::api::Api;
use fleet_tests::partners::id_of;
use fleet_tests::token;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::{organizer, until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

/// Each voter's tier, the tier's weight and its vote.
const VOTES: [(&str, i64, i64); 3] = [("bronze", 1, 2), ("gold", 2, 5), ("platinum", 3, 3)];

pub struct Votes;

struct Voter {
    company: Uuid,
    partner: Uuid,
    tier: &'static str,
    weight: i64,
    value: i64,
}

struct Started {
    topic_id: Uuid,
    voters: Vec<Voter>,
}

/// The topic's score in hundredths: 100 × Σ weight × (vote − 1) ÷ (4 × Σ weight), two
/// decimals (here 100 × 15 ÷ 24 = 62.50).
fn expected_score() -> i64 {
    let weighted: i64 = VOTES.iter().map(|(_, w, v)| w * (v - 1)).sum();
    let weights: i64 = VOTES.iter().map(|(_, w, _)| w).sum();
    (10_000.0 * weighted as f64 / (4.0 * weights as f64)).round() as i64
}

#[async_trait]
impl Saga for Votes {
    fn name(&self) -> &'static str {
        "partner votes"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(70)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["partners", "events"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let companies = found_companies(fleet).await;
        let partners = organizer(fleet, "partners");
        let since = (Utc::now() - chrono::Duration::days(1)).date_naive();
        let mut voters = Vec::new();
        for (company, (tier, weight, value)) in companies.into_iter().zip(VOTES) {
            let body = json!({"companyId": company, "partnershipLevel": tier, "partnershipStartDate": since});
            let created = partners
                .post("/api/v1/partners", &body)
                .await
                .expect(StatusCode::CREATED);
            voters.push(Voter {
                company,
                partner: id_of(&created),
                tier,
                weight,
                value,
            });
        }
        let topic = json!({"title": fleet_tests::unique("Chaos topic "), "category": "technical"});
        let created = organizer(fleet, "events")
            .post("/api/v1/topics", &topic)
            .await
            .expect(StatusCode::CREATED);
        let topic_id = id_of(&created);
        fleet
            .until(
                "partners know the topic",
                &format!(
                    "select count(*) = 1 from partners.topic_library where topic_id = '{topic_id}' and is_active"
                ),
            )
            .await;
        Box::new(Started { topic_id, voters })
    }
}

/// Creates a company for each voter and waits until the partners context knows them;
/// answers their ids.
async fn found_companies(fleet: &ProcessFleet) -> Vec<Uuid> {
    let companies = organizer(fleet, "companies");
    let mut ids = Vec::new();
    for (tier, _, _) in VOTES {
        let body = json!({"name": fleet_tests::unique(&format!("Chaos {tier} AG ")), "industry": "Software"});
        let created = companies
            .post("/api/v1/companies", &body)
            .await
            .expect(StatusCode::CREATED);
        ids.push(id_of(&created));
    }
    let listed: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    fleet
        .until(
            "partners know the companies",
            &format!(
                "select count(*) = {} from partners.company_directory where company_id::text = any(array['{}'])",
                ids.len(),
                listed.join("','")
            ),
        )
        .await;
    ids
}

/// `voter` votes on `topic_id` as its company's partner integration, until answered (a
/// repeat changes the vote to the same value).
async fn vote(fleet: &ProcessFleet, topic_id: Uuid, voter: &Voter) {
    let partner = Api::at(
        &fleet.base_url("partners"),
        Some(token(&["partner"], Some(voter.company))),
    );
    let path = format!("/api/v1/topic-votes/{topic_id}");
    let body = json!({"value": voter.value});
    let (status, answer) = until_answered(&partner, Method::PUT, &path, &body, &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "PUT {path} answered {status}: {answer}"
    );
}

impl Started {
    /// The topic's votes as partners keeps them (`<partner> <value> <weight>`) and as events
    /// keeps them (`<partner> <value> <tier>`).
    async fn votes(&self, fleet: &ProcessFleet) -> (Vec<String>, Vec<String>) {
        let in_partners: Vec<String> = sqlx::query_scalar(
            "select partner_id::text || ' ' || vote_value || ' ' || vote_weight
               from partners.topic_votes where topic_id = $1",
        )
        .bind(self.topic_id)
        .fetch_all(&fleet.admin)
        .await
        .expect("partners' votes can be read");
        let in_events: Vec<String> = sqlx::query_scalar(
            "select partner_id::text || ' ' || value || ' ' || tier
               from events.partner_votes where topic_id = $1",
        )
        .bind(self.topic_id)
        .fetch_all(&fleet.admin)
        .await
        .expect("events' votes can be read");
        (in_partners, in_events)
    }

    /// The topic's score in hundredths, as `events <score>` and `partners <score>`.
    async fn scores(&self, fleet: &ProcessFleet) -> Vec<String> {
        let (in_events, in_partners): (Option<i64>, Option<i64>) = sqlx::query_as(
            "select (select round(partner_influence_score * 100)::bigint from events.topics where id = $1),
                    (select round(partner_influence_score * 100)::bigint from partners.topic_library where topic_id = $1)",
        )
        .bind(self.topic_id)
        .fetch_one(&fleet.admin)
        .await
        .expect("the topic's scores can be read");
        let events = in_events.map(|s| format!("events {s}"));
        let partners = in_partners.map(|s| format!("partners {s}"));
        events.into_iter().chain(partners).collect()
    }
}

#[async_trait]
impl Run for Started {
    async fn trigger(&self, fleet: &ProcessFleet) {
        join_all(self.voters.iter().map(|v| vote(fleet, self.topic_id, v))).await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let in_partners: Vec<String> = self
            .voters
            .iter()
            .map(|v| format!("{} {} {}", v.partner, v.value, v.weight))
            .collect();
        let in_events: Vec<String> = self
            .voters
            .iter()
            .map(|v| format!("{} {} {}", v.partner, v.value, v.tier))
            .collect();
        let score = expected_score();
        let scores = [format!("events {score}"), format!("partners {score}")];
        let (found_in_partners, found_in_events) = self.votes(fleet).await;
        Tally::of(&in_partners, &found_in_partners)
            .and(Tally::of(&in_events, &found_in_events))
            .and(Tally::of(&scores, &self.scores(fleet).await))
    }
}
