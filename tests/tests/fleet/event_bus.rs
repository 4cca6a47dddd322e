//! The event-bus guarantees, against the real Postgres and the real broker.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use event_bus::dead_letters;
use event_bus::{EarlyMember, EventContext};
use fleet_tests::bus::{BusHarness, OwnBroker, Ticked};
use fleet_tests::{brokers, read_topic, unique};
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use uuid::Uuid;

const DEADLINE: Duration = Duration::from_secs(60);

fn ticks(ticker: Uuid, range: std::ops::Range<i64>) -> Vec<Ticked> {
    range
        .map(|n| Ticked {
            ticker,
            n,
            poison: false,
        })
        .collect()
}

fn distinct(applied: &[fleet_tests::bus::AppliedTick]) -> HashSet<Uuid> {
    applied.iter().map(|a| a.event_id).collect()
}

#[tokio::test]
async fn committed_events_are_applied_exactly_once_even_when_redelivered() {
    let mut bus = BusHarness::new(&brokers()).await;
    bus.start_consumer(&unique("g"));
    bus.start_relay();
    let mut committed = Vec::new();
    for batch in 0..5 {
        committed.extend(
            bus.commit(&ticks(Uuid::now_v7(), batch * 10..batch * 10 + 10))
                .await,
        );
    }

    let applied = bus.applied_at_least(50, DEADLINE).await;
    assert_eq!(distinct(&applied), committed.iter().copied().collect());

    // A second consumer group of the same service receives every message again (as after
    // lost offsets); the inbox makes the redelivery a no-op.
    bus.start_consumer(&unique("g"));
    let topic = bus.topic();
    let redelivered = read_topic(&bus.bus.brokers, &topic, 50, Duration::from_secs(3)).await;
    assert_eq!(redelivered.len(), 50);
    let handled: i64 = fleet_tests::eventually(DEADLINE, "second group caught up", || async {
        let n: i64 = sqlx::query_scalar("select count(*) from inbox")
            .fetch_one(&bus.pool)
            .await
            .unwrap();
        let lag = bus_consumed_duplicates(&bus).await;
        (lag >= 50).then_some(n)
    })
    .await;
    assert_eq!(handled, 50);
    assert_eq!(bus.applied().await.len(), 50);
    bus.stop().await;
}

async fn bus_consumed_duplicates(_bus: &BusHarness) -> u64 {
    event_bus::metrics::CONSUMED
        .get_metric_with_label_values(&["recorder", "duplicate"])
        .map(|c| c.get())
        .unwrap_or(0)
}

#[tokio::test]
async fn rolled_back_events_are_never_published() {
    let mut bus = BusHarness::new(&brokers()).await;
    bus.start_consumer(&unique("g"));
    bus.start_relay();
    let mut tx = bus.pool.begin().await.unwrap();
    let ghost = Ticked {
        ticker: Uuid::now_v7(),
        n: 666,
        poison: false,
    };
    event_bus::outbox::enqueue(&mut tx, &ghost, &EventContext::default())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let marker = bus.commit(&ticks(Uuid::now_v7(), 0..1)).await;

    let applied = bus.applied_at_least(1, DEADLINE).await;

    assert_eq!(
        applied.iter().map(|a| a.event_id).collect::<Vec<_>>(),
        marker
    );
    let on_topic = read_topic(&bus.bus.brokers, &bus.topic(), 2, Duration::from_secs(3)).await;
    assert_eq!(on_topic.len(), 1);
    assert_ne!(on_topic[0].payload["n"], 666);
    bus.stop().await;
}

/// Awake, the relay looks for rows itself; asleep, the commit wakes it. Writers commit in
/// bursts whose pauses straddle the time the relay stays awake, so it falls asleep and
/// wakes again and again while commits are under way; with the fallback poll a minute
/// away, a row missed at either change would wait for it.
#[tokio::test]
async fn every_commit_is_published_at_once_while_the_relay_wakes_and_sleeps() {
    let mut bus = BusHarness::new(&brokers()).await;
    bus.start_relay_polling_every(Duration::from_secs(60));
    let writers = (0..8u64).map(|writer| {
        let bus = &bus;
        async move {
            for n in 0..25u64 {
                bus.commit(&ticks(Uuid::now_v7(), 0..1)).await;
                let pause = (writer * 31 + n * 17) % 120;
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }
    });
    futures::future::join_all(writers).await;
    // And one commit after the relay has long been asleep.
    tokio::time::sleep(Duration::from_secs(1)).await;
    bus.commit(&ticks(Uuid::now_v7(), 0..1)).await;

    let slowest: f64 = fleet_tests::eventually(DEADLINE, "every row published", || async {
        let (waiting, slowest): (i64, Option<f64>) = sqlx::query_as(
            "select count(*) filter (where published_at is null), \
             max(extract(epoch from published_at - occurred_at))::float8 from outbox",
        )
        .fetch_one(&bus.pool)
        .await
        .unwrap();
        (waiting == 0).then_some(slowest.unwrap_or(0.0))
    })
    .await;
    assert!(slowest < 5.0, "a row waited {slowest:.1} s for the relay");
    bus.stop().await;
}

/// A service makes its consumer's member while it migrates, so that the member joins its
/// group meanwhile; the consumer that runs afterwards takes it over, counts as in its group
/// once assigned, and applies every event once, those committed before it ran included.
#[tokio::test]
async fn a_member_that_joined_before_its_consumer_ran_is_taken_over() {
    let mut bus = BusHarness::new(&brokers()).await;
    let group = unique("g");
    let early = EarlyMember::join(&bus.bus, &bus.consumer_settings(&group), "bustest")
        .await
        .expect("a member joins");
    let committed = bus.commit(&ticks(Uuid::now_v7(), 0..20)).await;
    bus.start_relay();
    // The service's migrations would run now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    bus.start_consumer_taking_over(&group, Some(early));

    let applied = bus.applied_at_least(committed.len(), DEADLINE).await;
    assert_eq!(distinct(&applied), committed.iter().copied().collect());
    assert_eq!(applied.len(), committed.len(), "an event was applied twice");
    fleet_tests::eventually(DEADLINE, "the consumer is in its group", || async {
        bus.worker_issue(&group).is_none().then_some(())
    })
    .await;
    bus.stop().await;
}

#[tokio::test]
async fn a_batch_produced_by_a_relay_that_died_before_marking_is_applied_once() {
    let mut bus = BusHarness::new(&brokers()).await;
    let committed = bus.commit(&ticks(Uuid::now_v7(), 0..10)).await;
    let dying = bus.relay();
    let mut tx = bus.pool.begin().await.unwrap();
    let produced = dying.claim_and_produce(&mut tx).await.unwrap();
    assert_eq!(produced.len(), 10);
    drop(tx); // the relay dies after the broker acknowledged, before marking the rows

    bus.start_consumer(&unique("g"));
    bus.start_relay();

    let applied = bus.applied_at_least(10, DEADLINE).await;
    let on_topic = read_topic(&bus.bus.brokers, &bus.topic(), 20, Duration::from_secs(3)).await;
    assert_eq!(on_topic.len(), 20, "every event was published twice");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let applied_later = bus.applied().await;
    assert_eq!(applied_later.len(), 10, "but applied once");
    assert_eq!(distinct(&applied), committed.into_iter().collect());
    bus.stop().await;
}

#[tokio::test]
async fn events_committed_while_the_broker_is_down_arrive_after_it_returns() {
    let broker = OwnBroker::start().await;
    let mut bus = BusHarness::new(&broker.brokers()).await;
    bus.start_consumer(&unique("g"));
    bus.start_relay();
    let ticker = Uuid::now_v7();
    let mut committed = bus.commit(&ticks(ticker, 0..5)).await;
    bus.applied_at_least(5, DEADLINE).await;

    broker.pause();
    for n in 5..25 {
        committed.extend(bus.commit(&ticks(ticker, n..n + 1)).await);
    }
    tokio::time::sleep(Duration::from_secs(10)).await; // the outage
    broker.resume();

    let applied = bus.applied_at_least(25, Duration::from_secs(120)).await;
    assert_eq!(distinct(&applied), committed.into_iter().collect());
    let order: Vec<i64> = applied.iter().map(|a| a.n).collect();
    assert_eq!(
        order,
        (0..25).collect::<Vec<_>>(),
        "one aggregate keeps its order through the outage"
    );
    bus.stop().await;
}

#[tokio::test]
async fn a_group_wedged_by_a_member_that_left_mid_join_is_dropped_and_joined_anew() {
    // The local broker never assigns again in a group one of whose members left while its
    // join was pending (a service crashing or replacing its consumer after a broker loss).
    let broker = OwnBroker::start().await;
    let mut bus = BusHarness::new(&broker.brokers()).await;
    bus.bus.ensure_topics(&[bus.topic()]).await.expect("topic");
    let group = unique("g");
    let leaver: BaseConsumer = bus.bus.consumer_config(&group).create().expect("consumer");
    leaver.subscribe(&[&bus.topic()]).expect("subscribe");
    let until = Instant::now() + Duration::from_millis(300);
    while Instant::now() < until {
        leaver.poll(Duration::from_millis(50));
    }
    assert_eq!(
        leaver.assignment().expect("assignment").count(),
        0,
        "still joining"
    );
    drop(leaver);

    bus.start_consumer(&group);
    bus.start_relay();
    let committed = bus.commit(&ticks(Uuid::now_v7(), 0..5)).await;
    let applied = bus.applied_at_least(5, DEADLINE).await;
    assert_eq!(distinct(&applied), committed.into_iter().collect());
    bus.stop().await;
}

#[tokio::test]
async fn a_poison_message_is_dead_lettered_while_later_ones_flow_and_can_be_replayed() {
    let mut bus = BusHarness::new(&brokers()).await;
    bus.start_consumer(&unique("g"));
    bus.start_relay();
    let ticker = Uuid::now_v7();
    let poison = bus
        .commit(&[Ticked {
            ticker,
            n: 0,
            poison: true,
        }])
        .await[0];
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bus.bus.brokers)
        .create()
        .unwrap();
    let topic = bus.topic();
    producer
        .send(
            FutureRecord::to(&topic)
                .key(&ticker.to_string())
                .payload("not an envelope"),
            Duration::from_secs(5),
        )
        .await
        .expect("raw message produced");
    let good = bus.commit(&ticks(ticker, 1..6)).await;

    let applied = bus.applied_at_least(5, DEADLINE).await;
    assert_eq!(distinct(&applied), good.into_iter().collect());
    let parked = fleet_tests::eventually(DEADLINE, "two dead letters", || async {
        let letters = dead_letters::list_pending(&bus.pool, None, 10)
            .await
            .unwrap();
        (letters.len() == 2).then_some(letters)
    })
    .await;
    let malformed = parked
        .iter()
        .find(|l| l.event_id.is_none())
        .expect("the malformed message is parked");
    assert!(malformed.error.contains("malformed"));
    let refused = parked
        .iter()
        .find(|l| l.event_id == Some(poison))
        .expect("the refused event is parked");
    assert_eq!(refused.attempts, 3);

    bus.refuse_poison
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let recorder = bus.recorder();
    dead_letters::replay(&bus.pool, &recorder, refused.id)
        .await
        .expect("replay applies it");
    assert!(matches!(
        dead_letters::replay(&bus.pool, &recorder, refused.id).await,
        Err(dead_letters::ReplayError::AlreadyReplayed(_))
    ));
    assert!(matches!(
        dead_letters::replay(&bus.pool, &recorder, malformed.id).await,
        Err(dead_letters::ReplayError::Malformed { .. })
    ));
    let applied = bus.applied().await;
    assert_eq!(applied.iter().filter(|a| a.event_id == poison).count(), 1);
    bus.stop().await;
}

#[tokio::test]
async fn each_aggregate_is_applied_in_commit_order() {
    let mut bus = BusHarness::new(&brokers()).await;
    bus.start_consumer(&unique("g"));
    bus.start_relay();
    let tickers: Vec<Uuid> = (0..8).map(|_| Uuid::now_v7()).collect();
    for n in 0..25 {
        for ticker in &tickers {
            bus.commit(&ticks(*ticker, n..n + 1)).await;
        }
    }

    let applied = bus.applied_at_least(200, DEADLINE).await;

    let mut per_ticker: HashMap<Uuid, Vec<i64>> = HashMap::new();
    for tick in applied {
        per_ticker.entry(tick.ticker).or_default().push(tick.n);
    }
    for ticker in tickers {
        assert_eq!(per_ticker[&ticker], (0..25).collect::<Vec<_>>());
    }
    bus.stop().await;
}

#[tokio::test]
async fn a_broker_that_lost_its_log_is_refilled_by_replay() {
    let broker = OwnBroker::start().await;
    let port = broker.port;
    let mut bus = BusHarness::new(&broker.brokers()).await;
    let since = chrono::Utc::now();
    let committed = bus.commit(&ticks(Uuid::now_v7(), 0..10)).await;
    bus.relay().drain().await.expect("published");
    assert_eq!(
        read_topic(&bus.bus.brokers, &bus.topic(), 10, Duration::from_secs(2))
            .await
            .len(),
        10
    );

    broker.kill();
    let _fresh = OwnBroker::start_on(port).await;
    let mut conn = bus.pool.acquire().await.unwrap();
    assert_eq!(
        event_bus::outbox::replay_since(&mut conn, since)
            .await
            .unwrap(),
        10
    );
    bus.start_consumer(&unique("g"));
    bus.start_relay();

    let applied = bus.applied_at_least(10, DEADLINE).await;
    assert_eq!(distinct(&applied), committed.into_iter().collect());
    bus.stop().await;
}

#[tokio::test]
async fn a_member_that_lost_every_broker_connection_is_replaced_once_the_broker_answers() {
    // A broker that comes back without its log can leave a running member's partitions
    // assigned but never fetched, without reporting the topics as lost (here the topics
    // exist again before the member reconnects). That stall comes only now and then, so
    // the test holds the member to its cure: it is replaced, and everything arrives.
    let broker = OwnBroker::start().await;
    let port = broker.port;
    let mut bus = BusHarness::new(&broker.brokers()).await;
    let group = unique("g");
    bus.start_consumer(&group);
    bus.start_relay();
    let ticker = Uuid::now_v7();
    let mut committed = bus.commit(&ticks(ticker, 0..5)).await;
    bus.applied_at_least(5, DEADLINE).await;
    let restarts = || {
        event_bus::workers::WORKER_RESTARTS
            .with_label_values(&[&group])
            .get()
    };
    let before = restarts();

    broker.kill();
    tokio::time::sleep(Duration::from_secs(3)).await; // the outage
    let _fresh = OwnBroker::start_on(port).await;
    bus.bus.ensure_topics(&[bus.topic()]).await.expect("topic");
    committed.extend(bus.commit(&ticks(ticker, 5..10)).await);

    let applied = bus.applied_at_least(10, Duration::from_secs(120)).await;
    assert_eq!(distinct(&applied), committed.into_iter().collect());
    assert!(restarts() > before, "the member was replaced");
    bus.stop().await;
}

/// The summed `bus_consumer_lag_messages` of the recorder on `topic`.
fn recorder_lag(topic: &str) -> i64 {
    (0..3)
        .map(|partition| {
            event_bus::metrics::CONSUMER_LAG
                .with_label_values(&["recorder", topic, &partition.to_string()])
                .get()
        })
        .sum()
}

#[tokio::test]
async fn consumer_lag_is_exported_while_reactions_are_slow_and_falls_to_zero() {
    // The local broker's reported high watermark can fall behind a partition's records, so
    // the lag shows through the messages in hand and the client's fetch position: the
    // backlog leaves the relay as one producer batch, even on a loaded machine.
    std::env::set_var("KAFKA_LINGER_MS", "200");
    let mut bus = BusHarness::new(&brokers()).await;
    bus.start_relay();
    let topic = bus.topic();
    // The consumer is in its group (a first tick applied) before the backlog is written, so
    // the backlog arrives at a member that knows its partitions.
    bus.start_consumer(&unique("g"));
    let mut committed = bus.commit(&ticks(Uuid::now_v7(), 0..1)).await;
    bus.applied_at_least(1, DEADLINE).await;
    // Each reaction takes 400 ms: the 60 messages take 24 s, several statistics intervals.
    bus.delay_ms.store(400, std::sync::atomic::Ordering::SeqCst);
    committed.extend(bus.commit(&ticks(Uuid::now_v7(), 0..60)).await);

    let started = std::time::Instant::now();
    let behind = loop {
        let lag = recorder_lag(&topic);
        if lag >= 10 {
            break lag;
        }
        let applied = bus.applied().await.len();
        assert!(
            started.elapsed() < DEADLINE,
            "no lag of 10 or more reported within {DEADLINE:?}: lag {lag}, {applied} of 60 applied"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(behind <= 60, "lag {behind} of 60 messages");
    bus.delay_ms.store(0, std::sync::atomic::Ordering::SeqCst);

    let applied = bus.applied_at_least(61, DEADLINE).await;
    assert_eq!(distinct(&applied), committed.into_iter().collect());
    fleet_tests::eventually(DEADLINE, "the lag back to zero", || async {
        (recorder_lag(&topic) == 0).then_some(())
    })
    .await;
    bus.stop().await;
}
