//! Partner votes per second end to end: partner integrations cast votes through the gateway
//! (partners service), each is announced and applied by the events service, which
//! recomputes the topic's influence score in the same transaction. Latency per vote is the
//! partners outbox row's time → the events inbox row's commit time, as the databases
//! recorded them.

use std::time::{Duration, Instant};

use fleet_tests::api::Api;
use fleet_tests::services::token_signed;
use futures::stream::{self, StreamExt};
use serde_json::json;
use uuid::Uuid;

use super::Args;

const PARTNERS: usize = 40;
const TOPICS: usize = 50;

pub async fn vote_figures(args: &Args) {
    let organizer = Api::at(
        &args.gateway,
        Some(token_signed(&args.secret, &["organizer"], None)),
    );
    let run = Uuid::new_v4().simple().to_string();
    let start = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let mut portals = Vec::new();
    for n in 0..PARTNERS {
        let company = organizer
            .post(
                "/api/v1/companies",
                &json!({"name": format!("Bench partner {run} {n}"), "industry": "Software"}),
            )
            .await
            .body["id"]
            .as_str()
            .unwrap_or_default()
            .parse::<Uuid>()
            .expect("a company");
        let tier = ["bronze", "silver", "gold", "platinum", "strategic"][n % 5];
        organizer
            .post("/api/v1/partners", &json!({"companyId": company, "partnershipLevel": tier, "partnershipStartDate": start}))
            .await;
        portals.push(Api::at(
            &args.gateway,
            Some(token_signed(&args.secret, &["partner"], Some(company))),
        ));
    }
    let mut topics = Vec::new();
    for n in 0..TOPICS {
        let topic = organizer
            .post(
                "/api/v1/topics",
                &json!({"title": format!("Bench topic {run} {n}"), "category": "technical"}),
            )
            .await
            .body["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        topics.push(topic);
    }
    let votes: Vec<(usize, usize)> = (0..TOPICS)
        .flat_map(|t| (0..PARTNERS).map(move |p| (t, p)))
        .collect();
    // Warm: the partners service knows every topic before the clock starts.
    for topic in &topics {
        portals[0]
            .put(
                &format!("/api/v1/topic-votes/{topic}"),
                &json!({"value": 3}),
            )
            .await;
    }
    let started = Instant::now();
    let measured: Vec<&(usize, usize)> = votes.iter().filter(|(_, p)| *p != 0).collect();
    let failed = stream::iter(measured.iter())
        .map(|&&(t, p)| {
            let (portal, topic) = (&portals[p], &topics[t]);
            async move {
                let value = 1 + (t + p) % 5;
                portal
                    .put(
                        &format!("/api/v1/topic-votes/{topic}"),
                        &json!({"value": value}),
                    )
                    .await
                    .status
                    != reqwest::StatusCode::OK
            }
        })
        .buffer_unordered(args.concurrency)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let db = sqlx::PgPool::connect(&args.database_url)
        .await
        .expect("bench database");
    let expected = i64::try_from(votes.len()).expect("a count");
    let cast = "partners.topic_vote.cast.v1";
    fleet_tests::eventually(Duration::from_secs(300), "every vote applied", || {
        let (db, topics) = (&db, &topics);
        async move {
            let applied: i64 = sqlx::query_scalar(
                "select count(*) from events.inbox where event_type = $1 and event_id in \
                 (select event_id from partners.outbox where event_type = $1 and payload ->> 'topicId' = any($2))",
            )
            .bind(cast)
            .bind(topics)
            .fetch_one(db)
            .await
            .ok()?;
            (applied >= expected).then_some(())
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let (p50, p99): (f64, f64) = sqlx::query_as(
        "select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms) from \
         (select extract(epoch from i.processed_at - o.occurred_at)::float8 * 1000 as ms from partners.outbox o \
          join events.inbox i on i.event_id = o.event_id where o.event_type = $1 and o.payload ->> 'topicId' = any($2)) l",
    )
    .bind(cast)
    .bind(&topics)
    .fetch_one(&db)
    .await
    .expect("latency query");
    println!(
        "partner votes end to end      {:>8.0} per s   vote → score p50 {p50:>7.1} ms   p99 {p99:>7.1} ms   ({} votes, {failed} refused, {elapsed:.2} s)",
        measured.len() as f64 / elapsed,
        measured.len()
    );
}
