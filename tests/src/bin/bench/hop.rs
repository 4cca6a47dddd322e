//! The ceiling of the event hop: a bare produce → consume round trip on the same broker,
//! with the services' own producer and consumer settings, at the same rate, without a
//! database on either side.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use event_bus::{BusConfig, Topics};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::FutureRecord;
use rdkafka::Message;

use crate::percentile;

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_micros()
}

/// The p50 and p99 of a bare round trip, in milliseconds.
pub struct BareRoundTrip {
    pub acknowledged: (f64, f64),
    pub consumed: (f64, f64),
}

/// Sends `rate` messages a second for `seconds` and measures send → acknowledged by the
/// broker and send → received.
pub async fn bare_round_trip(brokers: &str, rate: u64, seconds: u64) -> BareRoundTrip {
    let bus = BusConfig {
        brokers: brokers.to_owned(),
        topics: Topics::new(fleet_tests::unique("bench-bare")),
        partitions: 3,
    };
    let topic = bus.topics.of_context("bench");
    bus.ensure_topics(std::slice::from_ref(&topic))
        .await
        .expect("bench topic");
    let consumer: StreamConsumer = bus
        .consumer_config(&fleet_tests::unique("bench-bare"))
        .create()
        .expect("consumer");
    consumer.subscribe(&[&topic]).expect("subscribe");
    let producer = bus.producer().expect("producer");
    let total = (rate * seconds) as usize;
    let receiver = tokio::spawn(async move {
        let mut latencies = Vec::with_capacity(total);
        while latencies.len() < total {
            let Ok(Ok(message)) =
                tokio::time::timeout(Duration::from_secs(60), consumer.recv()).await
            else {
                break;
            };
            // The warm-up message (sent while the group is joined) is not counted.
            let Some(sent) = message
                .payload()
                .and_then(|p| std::str::from_utf8(p).ok())
                .and_then(|p| p.parse::<u128>().ok())
            else {
                continue;
            };
            latencies.push((now_micros().saturating_sub(sent)) as f64 / 1000.0);
        }
        latencies
    });
    producer
        .send(
            FutureRecord::to(&topic).key("w").payload("warm-up"),
            Duration::from_secs(10),
        )
        .await
        .expect("warm-up message");
    tokio::time::sleep(Duration::from_secs(8)).await;
    let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    let mut acknowledgements = tokio::task::JoinSet::new();
    for n in 0..total {
        interval.tick().await;
        let sent = now_micros();
        let payload = sent.to_string();
        let key = (n % 64).to_string();
        let record = FutureRecord::to(&topic).key(&key).payload(&payload);
        match producer.send_result(record) {
            Ok(delivery) => {
                acknowledgements.spawn(async move {
                    matches!(delivery.await, Ok(Ok(_)))
                        .then(|| (now_micros().saturating_sub(sent)) as f64 / 1000.0)
                });
            }
            Err((error, _)) => println!("  bare round trip: a send failed: {error}"),
        }
    }
    let mut acknowledged: Vec<f64> = acknowledgements
        .join_all()
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut consumed = receiver.await.expect("receiver");
    BareRoundTrip {
        acknowledged: p50_p99(&mut acknowledged),
        consumed: p50_p99(&mut consumed),
    }
}

fn p50_p99(latencies: &mut [f64]) -> (f64, f64) {
    latencies.sort_by(f64::total_cmp);
    (percentile(latencies, 0.5), percentile(latencies, 0.99))
}
