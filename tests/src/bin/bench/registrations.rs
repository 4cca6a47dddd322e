//! Registrations through the gateway, each answered by the whole saga (attendees → events
//! → attendees): a burst of `BENCH_BURST` (2,000) at `BENCH_BURST_CONCURRENCY` (64) clients
//! beside its ceiling (PostgreSQL's commit rate from pgbench, `BENCH_PGBENCH_TPS`, divided
//! by the four commits a registration needs), and an open-loop load of
//! `BENCH_REGISTRATION_RATE` (200) per second for `BENCH_REGISTRATION_SECONDS` (30) with
//! the latency from the request to the final state the attendee sees, beside the same
//! latency at `BENCH_REGISTRATION_FLOOR_RATE` (20) per second for
//! `BENCH_REGISTRATION_FLOOR_SECONDS` (10), and the CPU time each part of the fleet used
//! during the full rate.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fleet_tests::api::Api;
use fleet_tests::services::token_signed;
use futures::stream::{self, StreamExt};
use serde_json::json;
use uuid::Uuid;

use crate::Args;

/// Commits one registration takes: the request, the seat, the final state, its mail.
const COMMITS_PER_REGISTRATION: f64 = 4.0;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `count` attendees of this run, created through the gateway.
async fn attendees(organizer: &Api, count: usize, concurrency: usize) -> Vec<String> {
    let run = Uuid::new_v4().simple().to_string();
    stream::iter(0..count)
        .map(|n| {
            let (organizer, run) = (organizer, &run);
            async move {
                let body = json!({"email": format!("bench-{run}-{n}@example.ch"), "firstName": "Bench", "lastName": format!("{n}"), "gdprConsent": {"given": false}});
                organizer.post("/api/v1/attendees", &body).await.body["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await
}

/// An event open for registration with `capacity` seats.
async fn open_event(organizer: &Api, capacity: i32) -> Uuid {
    let number = 1000 + (Uuid::new_v4().as_u128() % 99_000) as i32;
    let (event_id, _, _) =
        fleet_tests::planning::published_evening(organizer, number, capacity).await;
    fleet_tests::planning::walk_status(organizer, &event_id, &["registration_open"]).await;
    event_id.parse().expect("event id")
}

/// Waits until no registration of `event` is still on its way.
async fn settled(db: &sqlx::PgPool, event: Uuid) {
    fleet_tests::eventually(Duration::from_secs(300), "every registration settled", || async move {
        let pending: i64 = sqlx::query_scalar("select count(*) from attendees.event_registrations where event_id = $1 and status = 'registered'")
            .bind(event)
            .fetch_one(db)
            .await
            .ok()?;
        (pending == 0).then_some(())
    })
    .await;
}

pub async fn registration_figures(args: &Args) {
    let organizer = Api::at(
        &args.gateway,
        Some(token_signed(&args.secret, &["organizer"], None)),
    );
    let db = sqlx::PgPool::connect(&args.database_url)
        .await
        .expect("bench database");
    burst(&organizer, &db).await;
    sustained(&organizer, &db).await;
}

async fn burst(organizer: &Api, db: &sqlx::PgPool) {
    let (count, concurrency) = (env("BENCH_BURST", 2000), env("BENCH_BURST_CONCURRENCY", 64));
    let capacity = (count * 2 / 3) as i32;
    let event = open_event(organizer, capacity).await;
    let guests = attendees(organizer, count, 32).await;
    let started = Instant::now();
    stream::iter(guests.iter())
        .map(|attendee| async move {
            organizer
                .post(
                    "/api/v1/registrations",
                    &json!({"eventId": event, "attendeeId": attendee}),
                )
                .await
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    settled(db, event).await;
    let rate = count as f64 / started.elapsed().as_secs_f64();
    let confirmed: i64 = sqlx::query_scalar(
        "select count(*) from attendees.event_registrations where event_id = $1 and status = 'confirmed'",
    )
    .bind(event)
    .fetch_one(db)
    .await
    .unwrap_or(-1);
    let ceiling = std::env::var("BENCH_PGBENCH_TPS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .map(|tps| tps / COMMITS_PER_REGISTRATION);
    match ceiling {
        Some(ceiling) => println!(
            "registrations, burst of {count} at {concurrency} clients {rate:>8.0} per s   ceiling {ceiling:>6.0} per s (pgbench -N tps ÷ {COMMITS_PER_REGISTRATION})   ratio {:>5.1} %   (goal ≥ 40 %; {confirmed} confirmed of {capacity} seats)",
            100.0 * rate / ceiling
        ),
        None => println!(
            "registrations, burst of {count} at {concurrency} clients {rate:>8.0} per s   ({confirmed} confirmed of {capacity} seats; no pgbench ceiling)"
        ),
    }
}

async fn sustained(organizer: &Api, db: &sqlx::PgPool) {
    // The same saga offered slowly first: its latency there is the chain's own (two hops,
    // four commits) with next to no queueing, the floor of the figure at the full rate.
    let floor = paced(
        organizer,
        db,
        env("BENCH_REGISTRATION_FLOOR_RATE", 20),
        env("BENCH_REGISTRATION_FLOOR_SECONDS", 10),
    )
    .await;
    floor.print(
        ("             ", "             "),
        "the saga's floor, next to no queueing",
    );
    let full = paced(
        organizer,
        db,
        env("BENCH_REGISTRATION_RATE", 200),
        env("BENCH_REGISTRATION_SECONDS", 30),
    )
    .await;
    full.print(
        (" (goal ≤ 30) ", " (goal ≤ 250)"),
        &format!("p50 {:.1} × the floor's", full.p50 / floor.p50),
    );
    println!(
        "{}",
        crate::cpu::report(&full.cores_before, &full.cores_after)
    );
}

/// The latencies of registrations offered at one pace.
struct Paced {
    offered: f64,
    seconds: usize,
    p50: f64,
    p99: f64,
    answered: usize,
    /// CPU times from the first request until every registration settled.
    cores_before: crate::cpu::Sample,
    cores_after: crate::cpu::Sample,
}

impl Paced {
    /// Prints the figure with `goals` after its p50 and p99, and `note` after the count.
    fn print(&self, goals: (&str, &str), note: &str) {
        println!(
            "registrations at {:>4.0}/s for {} s      request → confirmed/waitlisted p50 {:>6.1} ms{}  p99 {:>6.1} ms{}   ({} answered; {note})",
            self.offered, self.seconds, self.p50, goals.0, self.p99, goals.1, self.answered
        );
    }
}

/// Offers `rate` registrations a second for `seconds` to a new event (half of them find
/// a seat) and measures request → final state, as the attendee would read it.
async fn paced(organizer: &Api, db: &sqlx::PgPool, rate: usize, seconds: usize) -> Paced {
    let count = rate * seconds;
    let event = open_event(organizer, (count / 2) as i32).await;
    let guests = attendees(organizer, count, 32).await;
    let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut requests = Vec::with_capacity(count);
    let cores_before = crate::cpu::sample();
    let started = Instant::now();
    for attendee in guests {
        interval.tick().await;
        let organizer = organizer.clone();
        requests.push(tokio::spawn(async move {
            let sent: DateTime<Utc> = Utc::now();
            let answer = organizer
                .post(
                    "/api/v1/registrations",
                    &json!({"eventId": event, "attendeeId": attendee}),
                )
                .await;
            answer.body["id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok())
                .map(|id| (id, sent))
        }));
    }
    let offered = count as f64 / started.elapsed().as_secs_f64();
    let mut sent = Vec::with_capacity(count);
    for request in requests {
        if let Ok(Some(pair)) = request.await {
            sent.push(pair);
        }
    }
    settled(db, event).await;
    let cores_after = crate::cpu::sample();
    let (ids, times): (Vec<Uuid>, Vec<DateTime<Utc>>) = sent.into_iter().unzip();
    let (p50, p99): (Option<f64>, Option<f64>) = sqlx::query_as(
        "select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms) from \
         (select extract(epoch from r.updated_at - s.sent)::float8 * 1000 as ms \
          from unnest($1::uuid[], $2::timestamptz[]) as s(id, sent) join attendees.event_registrations r on r.id = s.id) l",
    )
    .bind(&ids)
    .bind(&times)
    .fetch_one(db)
    .await
    .unwrap_or((None, None));
    Paced {
        offered,
        seconds,
        p50: p50.unwrap_or(f64::NAN),
        p99: p99.unwrap_or(f64::NAN),
        answered: ids.len(),
        cores_before,
        cores_after,
    }
}
