//! Two instances of a service publish its outbox through one relay: the one holding the
//! schema's advisory lock (`outbox_relay_leading` 1 on its `/metrics`). Killing that
//! instance with SIGKILL hands the relay over to the other within a bound; the test prints
//! the measured handover.

use std::time::{Duration, Instant};

use fleet_tests::api::Api;
use fleet_tests::processes::ServiceProcess;
use fleet_tests::{brokers, eventually, read_topic, token, unique, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

/// The longest handover accepted: from the kill to an event committed after it reaching
/// the broker.
const HANDOVER_BOUND: Duration = Duration::from_secs(10);

const LEADING: &str = "outbox_relay_leading{schema=\"companies\"} 1";

async fn create_company(instance: &ServiceProcess, name: &str) -> String {
    let organizer = Api::at(&instance.base_url, Some(token(&["organizer"], None)));
    let created = organizer
        .post(
            "/api/v1/companies",
            &json!({ "name": name, "industry": "IT" }),
        )
        .await
        .expect(StatusCode::CREATED);
    created["id"].as_str().unwrap().to_owned()
}

/// Whether the outbox row announcing company `id` is published (acknowledged by the
/// broker and marked).
async fn published(admin: &PgPool, id: &str) -> bool {
    sqlx::query_scalar(
        "select published_at is not null from companies.outbox \
         where aggregate_id = $1 and event_type like 'companies.company.created.%'",
    )
    .bind(id)
    .fetch_optional(admin)
    .await
    .unwrap()
    .unwrap_or(false)
}

#[tokio::test]
async fn killing_the_leading_relay_hands_publishing_over_to_the_other_instance() {
    let db = TestDb::create().await;
    let url = db.service_url("companies").await;
    let admin = PgPool::connect(&db.admin_url()).await.unwrap();
    let prefix = unique("t");
    let mut instances = vec![
        ServiceProcess::spawn("companies", &url, &prefix, "handover-companies-1"),
        ServiceProcess::spawn("companies", &url, &prefix, "handover-companies-2"),
    ];
    for instance in &instances {
        instance.wait_until_ready().await;
    }
    let leader = eventually(
        Duration::from_secs(30),
        "exactly one instance leads",
        || async {
            let mut leading = Vec::new();
            for (i, instance) in instances.iter().enumerate() {
                if instance.metrics().await?.contains(LEADING) {
                    leading.push(i);
                }
            }
            (leading.len() == 1).then(|| leading[0])
        },
    )
    .await;
    let before = create_company(&instances[1 - leader], &unique("Before ")).await;
    eventually(Duration::from_secs(10), "the leader publishes", || async {
        published(&admin, &before).await.then_some(())
    })
    .await;

    let killed_at = Instant::now();
    instances.remove(leader).kill();
    let survivor = &instances[0];
    let after = create_company(survivor, &unique("After ")).await;
    let committed = killed_at.elapsed();
    eventually(HANDOVER_BOUND, "the other instance publishes", || async {
        published(&admin, &after).await.then_some(())
    })
    .await;
    let handover = killed_at.elapsed();

    eprintln!(
        "relay handover: event committed {} ms after the kill, on the broker {} ms after it",
        committed.as_millis(),
        handover.as_millis()
    );
    assert!(handover < HANDOVER_BOUND, "handover took {handover:?}");
    let metrics = survivor.metrics().await.expect("the survivor answers");
    assert!(metrics.contains(LEADING), "{metrics}");
    let on_topic = read_topic(
        &brokers(),
        &format!("{prefix}.companies.v1"),
        10,
        Duration::from_secs(3),
    )
    .await;
    let mut created: Vec<&String> = on_topic
        .iter()
        .filter(|m| m.headers["ce_type"].starts_with("companies.company.created."))
        .map(|m| &m.headers["ce_subject"])
        .collect();
    created.sort();
    let mut expected = [&before, &after];
    expected.sort();
    assert_eq!(created, expected, "each event on the broker once");
}
