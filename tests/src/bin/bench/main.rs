//! Prints the platform's speed figures (run through `scripts/bench`, which starts the fleet
//! it measures and prints readiness, idle memory and PostgreSQL's commit ceiling first),
//! each beside its ceiling where there is one:
//! 1. companies create and get throughput and latency through the gateway;
//! 2. the public agenda with wrk, direct and through the gateway, plain and revalidated,
//!    beside nginx serving the same bytes as a static file (`wrk`);
//! 3. seat reservations per second through the seat step of the registration saga;
//! 4. registrations: a burst beside pgbench's commit rate, and an open-loop rate with the
//!    latency from request to final state (`registrations`), and where the cores went
//!    meanwhile (`cpu`);
//! 5. outbox-commit → consumer-commit latency (p50/p99) at a fixed event rate, beside a
//!    bare produce → consume round trip on the same broker (`hop`);
//! 6. invitation mails per second through the notifications service and SES, with the time
//!    each spent queued (logged → accepted by SES), and a newsletter fanned out to as many
//!    subscribers (delivery alone);
//! 7. partner votes per second end to end (vote → influence score) with their latency;
//! 8. upload cycles per second (declare, presigned PUT, confirm with read-back, hash and
//!    virus scan) and a 50 MB presigned upload beside a plain PUT to the same store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use chrono::Utc;
use fleet_tests::api::Api;
use fleet_tests::bus::{BusHarness, Ticked};
use fleet_tests::services::token_signed;
use serde_json::{json, Value};
use shared_domain::contracts::attendees::RegistrationRequested;
use shared_domain::contracts::Known;
use tokio::sync::Mutex;
use uuid::Uuid;

mod content;
mod cpu;
mod hop;
mod registrations;
mod votes;
mod wrk;

struct Args {
    gateway: String,
    events_url: String,
    brokers: String,
    secret: String,
    seconds: u64,
    concurrency: usize,
    rate: u64,
    mails: usize,
    database_url: String,
    s3_endpoint: String,
    s3_bucket: String,
    s3_key: String,
    s3_secret: String,
}

fn args() -> Args {
    let env =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    Args {
        gateway: env("BENCH_GATEWAY", "http://127.0.0.1:18080"),
        events_url: env("BENCH_EVENTS_URL", "http://127.0.0.1:18082"),
        brokers: env("KAFKA_BROKERS", "127.0.0.1:19093"),
        secret: env("JWT_SECRET", "batbern-local-dev-secret"),
        seconds: env("BENCH_SECONDS", "10").parse().expect("BENCH_SECONDS"),
        concurrency: env("BENCH_CONCURRENCY", "32")
            .parse()
            .expect("BENCH_CONCURRENCY"),
        rate: env("BENCH_EVENT_RATE", "1000")
            .parse()
            .expect("BENCH_EVENT_RATE"),
        mails: env("BENCH_MAILS", "1000").parse().expect("BENCH_MAILS"),
        database_url: env(
            "BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/batbern_bench",
        ),
        s3_endpoint: env("S3_ENDPOINT", "http://127.0.0.1:18016"),
        s3_bucket: env("S3_BUCKET", "batbern-content"),
        s3_key: env("S3_ACCESS_KEY_ID", "batbern-local"),
        s3_secret: env("S3_SECRET_ACCESS_KEY", "batbern-local-secret"),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs `concurrency` workers for `seconds`, each calling `request(worker, i)`; prints the figures.
async fn load<F, Fut>(label: &str, seconds: u64, concurrency: usize, request: F) -> Vec<Value>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (bool, Option<Value>)> + Send,
{
    let request = Arc::new(request);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (request, latencies, bodies, errors) = (
            request.clone(),
            latencies.clone(),
            bodies.clone(),
            errors.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < end {
                let started = Instant::now();
                let (ok, body) = request(worker, i).await;
                latencies
                    .lock()
                    .await
                    .push(started.elapsed().as_secs_f64() * 1000.0);
                if !ok {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                if let Some(body) = body {
                    bodies.lock().await.push(body);
                }
                i += 1;
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let mut latencies = latencies.lock().await.clone();
    latencies.sort_by(f64::total_cmp);
    println!(
        "{label:<28} {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} requests, {} errors, {concurrency} connections)",
        latencies.len() as f64 / seconds as f64,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.len(),
        errors.load(std::sync::atomic::Ordering::Relaxed),
    );
    let bodies = bodies.lock().await.clone();
    bodies
}

async fn http_figures(args: &Args) {
    let client = reqwest::Client::new();
    let organizer = token_signed(&args.secret, &["organizer"], None);
    let run = Uuid::new_v4().simple().to_string();
    let url = format!("{}/api/v1/companies", args.gateway);
    let (c, u, t) = (client.clone(), url.clone(), organizer.clone());
    let created = load(
        "companies create (gateway)",
        args.seconds,
        args.concurrency,
        move |worker, i| {
            let (client, url, token, run) = (c.clone(), u.clone(), t.clone(), run.clone());
            async move {
                let body =
                    json!({"name": format!("Bench {run} {worker}-{i}"), "industry": "Software"});
                match client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => {
                        (true, r.json::<Value>().await.ok().map(|v| v["id"].clone()))
                    }
                    _ => (false, None),
                }
            }
        },
    )
    .await;
    let ids = Arc::new(created);
    let (c, t) = (client.clone(), organizer.clone());
    load(
        "companies get (gateway)",
        args.seconds,
        args.concurrency,
        move |worker, i| {
            let (client, token, ids, base) = (c.clone(), t.clone(), ids.clone(), url.clone());
            async move {
                let id = ids[(worker * 7919 + i) % ids.len()]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                match client
                    .get(format!("{base}/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                {
                    Ok(r) => (r.status() == 200, None),
                    Err(_) => (false, None),
                }
            }
        },
    )
    .await;
}

async fn events_figures(args: &Args) {
    let organizer = Api::at(
        &args.gateway,
        Some(token_signed(&args.secret, &["organizer"], None)),
    );
    let number = 1000 + (Uuid::new_v4().as_u128() % 99_000) as i32;
    let seats = 2000;
    let (event_id, _, _) =
        fleet_tests::planning::published_evening(&organizer, number, seats).await;
    fleet_tests::planning::walk_status(&organizer, &event_id, &["registration_open"]).await;
    wrk::agenda_figures(args, &event_id).await;

    let producer = fleet_tests::producer(&args.brokers);
    let event: Uuid = event_id.parse().expect("event id");
    let started = Instant::now();
    let requests: Vec<RegistrationRequested> = (0..seats)
        .map(|_| RegistrationRequested {
            registration_id: Uuid::now_v7(),
            event_id: event,
            attendee_id: Uuid::now_v7(),
            requested_at: Utc::now(),
        })
        .collect();
    futures::future::join_all(
        requests
            .iter()
            .map(|r| fleet_tests::publish(&producer, "batbern", r)),
    )
    .await;
    fleet_tests::eventually(Duration::from_secs(300), "every seat reserved", || async {
        let taken = organizer
            .get(&format!("/api/v1/events/{event_id}"))
            .await
            .body["currentAttendeeCount"]
            .as_i64();
        (taken == Some(i64::from(seats))).then_some(())
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    println!("seat reservations (saga)     {:>8.0} per s   ({seats} requests through the bus, {elapsed:.2} s)", f64::from(seats) / elapsed);
}

async fn bus_figures(args: &Args) {
    let mut bus = BusHarness::new(&args.brokers).await;
    bus.start_consumer(&fleet_tests::unique("bench"));
    bus.start_relay();
    // Warm-up: the first consumer-group join takes seconds; measure only after it.
    bus.commit(&[Ticked {
        ticker: Uuid::now_v7(),
        n: -1,
        poison: false,
    }])
    .await;
    bus.applied_at_least(1, Duration::from_secs(60)).await;

    let total = args.rate * args.seconds;
    let tickers: Vec<Uuid> = (0..64).map(|_| Uuid::now_v7()).collect();
    let period = Duration::from_secs_f64(1.0 / args.rate as f64);
    let started = Instant::now();
    let bus = Arc::new(bus);
    let committers = 8u64;
    let mut tasks = Vec::new();
    for c in 0..committers {
        let (bus, tickers) = (bus.clone(), tickers.clone());
        tasks.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(period * committers as u32);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for n in (c..total).step_by(committers as usize) {
                interval.tick().await;
                let ticker = tickers[(n % tickers.len() as u64) as usize];
                bus.commit(&[Ticked {
                    ticker,
                    n: n as i64,
                    poison: false,
                }])
                .await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("committer");
    }
    let offered = total as f64 / started.elapsed().as_secs_f64();
    bus.applied_at_least(total as usize + 1, Duration::from_secs(120))
        .await;
    let (p50, p99, max, relay_p50, relay_p99): (f64, f64, f64, f64, f64) = sqlx::query_as(
        "select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms), max(ms), \
                percentile_cont(0.5) within group (order by relay_ms), percentile_cont(0.99) within group (order by relay_ms) \
         from (select extract(epoch from a.applied_at - o.occurred_at)::float8 * 1000 as ms, \
                      extract(epoch from o.published_at - o.occurred_at)::float8 * 1000 as relay_ms \
               from bus_test_applied a join outbox o on o.event_id = a.event_id where a.n >= 0) latencies",
    )
    .fetch_one(&bus.pool)
    .await
    .expect("latency query");
    match Arc::try_unwrap(bus) {
        Ok(bus) => bus.stop().await,
        Err(_) => unreachable!("committers finished"),
    }
    let bare = hop::bare_round_trip(&args.brokers, args.rate, args.seconds).await;
    let (bare_p50, bare_p99) = bare.consumed;
    let (ack_p50, ack_p99) = bare.acknowledged;
    println!(
        "outbox → consumer commit     {offered:>8.0} events/s offered   p50 {p50:>6.2} ms (goal ≤ 5)   p99 {p99:>6.2} ms (goal ≤ 25)   max {max:>7.2} ms   ({total} events)"
    );
    println!(
        "  of which outbox commit → acknowledged by the broker   p50 {relay_p50:>6.2} ms   p99 {relay_p99:>6.2} ms"
    );
    println!(
        "  ceiling: bare produce → acknowledged by the broker   p50 {ack_p50:>6.2} ms   p99 {ack_p99:>6.2} ms   (ratio of p50s {:.1})",
        relay_p50 / ack_p50
    );
    println!(
        "  ceiling: bare produce → consume on the same broker   p50 {bare_p50:>6.2} ms   p99 {bare_p99:>6.2} ms   (ratio of p50s {:.1})",
        p50 / bare_p50
    );
}

#[tokio::main]
async fn main() {
    let args = args();
    println!(
        "BATbern benchmark ({} s per figure, {} cores)",
        args.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // `BENCH_ONLY=agenda,registrations,...` measures only the figures named.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let wanted = |figure: &str| only.is_empty() || only.split(',').any(|f| f.trim() == figure);
    if wanted("http") {
        http_figures(&args).await;
    }
    if wanted("agenda") {
        events_figures(&args).await;
    }
    if wanted("registrations") {
        registrations::registration_figures(&args).await;
    }
    if wanted("hop") {
        bus_figures(&args).await;
    }
    if wanted("mail") {
        mail_figures(&args).await;
    }
    if wanted("votes") {
        votes::vote_figures(&args).await;
    }
    if wanted("content") {
        content::content_figures(&args).await;
    }
}

async fn mail_figures(args: &Args) {
    let total = args.mails;
    let db = fleet_tests::TestDb::create().await;
    let service =
        fleet_tests::TestService::notifications(&db, Arc::new(notifications::clock::SystemClock))
            .await;
    let upstream = fleet_tests::upstream::Upstream::of(&service);
    let run = fleet_tests::unique("bench");
    let event_id = Uuid::now_v7();
    // Warm-up: the first consumer-group join takes seconds; measure only after it.
    let warm = format!("{run}-warm@example.ch");
    upstream.invited(&warm, "de", event_id).await;
    fleet_tests::mail::wait_for_mails(&warm, 1).await;

    let started = Instant::now();
    // Published 64 at a time, so the figure is the service's, not the publisher's.
    futures::stream::iter(0..total)
        .for_each_concurrent(64, |n| {
            let (upstream, run) = (&upstream, &run);
            async move {
                let language = if n % 2 == 0 { "de" } else { "en" };
                upstream
                    .invited(&format!("{run}-{n}@example.ch"), language, event_id)
                    .await;
            }
        })
        .await;
    let prefix = format!("{run}-");
    loop {
        let sent = fleet_tests::mail::all_mails()
            .await
            .iter()
            .filter(|m| {
                m.destination
                    .to
                    .iter()
                    .any(|to| to.starts_with(&prefix) && !to.contains("warm"))
            })
            .count();
        if sent >= total {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "mails did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let pool = sqlx::PgPool::connect(&db.admin_url())
        .await
        .expect("bench database");
    let (p50, p99): (f64, f64) = sqlx::query_as(
        "select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms) \
         from (select extract(epoch from sent_at - created_at)::float8 * 1000 as ms \
               from notifications.notification_log where delivery_status = 'sent') queued",
    )
    .fetch_one(&pool)
    .await
    .expect("latency query");
    println!(
        "invitation mails via SES      {:>8.0} per s   queued p50 {p50:>7.1} ms   p99 {p99:>7.1} ms   ({total} mails, {elapsed:.2} s from the first event)",
        total as f64 / elapsed
    );
    newsletter_figure(&service, &pool, &run, total).await;
    service.stop().await;
}

/// One publication fanned out to `total` confirmed subscribers: the delivery rate alone.
async fn newsletter_figure(
    service: &fleet_tests::TestService,
    pool: &sqlx::PgPool,
    run: &str,
    total: usize,
) {
    use shared_domain::contracts::attendees::{
        AttendeeProfileChangedV1, NewsletterSubscriptionChanged,
    };
    use shared_domain::contracts::events::EventPublished;
    let producer = fleet_tests::producer(&fleet_tests::brokers());
    let prefix = &service.topic_prefix;
    for n in 0..total {
        let attendee_id = Uuid::now_v7();
        let profile = AttendeeProfileChangedV1 {
            attendee_id,
            email: format!("{run}-reader-{n}@example.ch"),
            first_name: "Reader".into(),
            last_name: format!("No {n}"),
            language: Known::named(if n % 2 == 0 { "de" } else { "en" }),
            changed_at: Utc::now(),
        };
        fleet_tests::publish(&producer, prefix, &profile).await;
        let confirmed = NewsletterSubscriptionChanged {
            subscription_id: Uuid::now_v7(),
            attendee_id,
            status: Known::named("confirmed"),
            changed_at: Utc::now(),
        };
        fleet_tests::publish(&producer, prefix, &confirmed).await;
    }
    loop {
        let subscribers: i64 = sqlx::query_scalar(
            "select count(*) from notifications.newsletter_subscribers s join notifications.recipients r on r.id = s.attendee_id",
        )
        .fetch_one(pool)
        .await
        .expect("subscriber count");
        if subscribers as usize >= total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let published = EventPublished {
        event_id: Uuid::now_v7(),
        event_number: 99,
        title: "Cloud Native Architecture".into(),
        event_date: "2027-03-12T16:00:00Z".parse().unwrap(),
        registration_deadline: "2027-03-10T22:59:00Z".parse().unwrap(),
        capacity: 300,
        published_at: Utc::now(),
        sessions: Vec::new(),
    };
    let started = Instant::now();
    fleet_tests::publish(&producer, prefix, &published).await;
    let readers = format!("{run}-reader-");
    loop {
        let sent = fleet_tests::mail::all_mails()
            .await
            .iter()
            .filter(|m| m.destination.to.iter().any(|to| to.starts_with(&readers)))
            .count();
        if sent >= total {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the newsletter did not go out"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "newsletter fan-out via SES    {:>8.0} per s   ({total} subscribers, {elapsed:.2} s from publication to the last mail)",
        total as f64 / elapsed
    );
}
