//! The fleet under fault: every service as a process of its own (the binaries beside this
//! one), on free ports, against a fresh database and a broker of its own, so any of them
//! can be killed with SIGKILL and started again on the same port.

use std::fs::OpenOptions;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fleet_tests::bus::OwnBroker;
use fleet_tests::services::TEST_SECRET;
use fleet_tests::TestDb;
use sqlx::PgPool;

/// Every service of the registry (deploy/services.toml), in its order.
fn registry_services() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Registry {
        service: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        name: String,
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/services.toml");
    let text = std::fs::read_to_string(path).expect("the service registry can be read");
    let registry: Registry = toml::from_str(&text).expect("the service registry is valid");
    registry.service.into_iter().map(|s| s.name).collect()
}

/// How long a (re)started service has to become ready.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// How long after a broker loss a crash of the Kafka client is put down to it.
const BROKER_LOSS_AFTERMATH: Duration = Duration::from_secs(60);

/// SIGSEGV: how the local Kafka client ends when a restarted broker answers metadata for
/// topics it no longer knows (docs/operations.md).
const SIGSEGV: i32 = 11;

/// A service that ended by itself, and how.
pub struct Ended {
    name: String,
    status: ExitStatus,
    /// It crashed in the aftermath of a broker loss, as the Kafka client does there; the
    /// supervisor started it again, as an orchestrator would.
    pub after_broker_loss: bool,
}

impl Ended {
    pub fn describe(&self) -> String {
        format!("{} ended by itself ({})", self.name, self.status)
    }
}

struct Member {
    name: String,
    port: u16,
    database_url: String,
    child: Mutex<Option<Child>>,
}

pub struct ProcessFleet {
    /// The superuser's pool on the run's database, for counting effects in every schema.
    pub admin: PgPool,
    pub prefix: String,
    pub client: reqwest::Client,
    broker: Mutex<Option<OwnBroker>>,
    broker_port: u16,
    broker_back: Mutex<Option<Instant>>,
    members: Vec<Member>,
    peers: Vec<(String, String)>,
    bin_dir: PathBuf,
    logs: PathBuf,
}

/// A port free now, below the kernel's ephemeral range (32768 and up) and not in `taken`: a
/// killed service restarts on its port, and a port the kernel hands out could meanwhile be
/// the local end of some client's connection.
fn free_port(taken: &[u16]) -> u16 {
    loop {
        let port = fastrand::u16(21_000..28_000);
        if !taken.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl ProcessFleet {
    /// Starts a broker and every service; returns when all are ready.
    pub async fn start(logs: PathBuf) -> Self {
        std::fs::create_dir_all(&logs).expect("the log directory can be made");
        let db = TestDb::create().await;
        let broker = OwnBroker::start().await;
        let broker_port = broker.port;
        let mut members = Vec::new();
        for name in registry_services() {
            let taken: Vec<u16> = members.iter().map(|m: &Member| m.port).collect();
            members.push(Member {
                port: free_port(&taken),
                database_url: db.service_url(&name).await,
                name,
                child: Mutex::new(None),
            });
        }
        let peers = members
            .iter()
            .map(|m| {
                (
                    format!("{}_URL", m.name.to_uppercase()),
                    format!("http://127.0.0.1:{}", m.port),
                )
            })
            .collect();
        let bin_dir = std::env::current_exe()
            .expect("the chaos binary knows where it is")
            .parent()
            .expect("it lies in a directory")
            .to_path_buf();
        let admin = PgPool::connect(&db.admin_url())
            .await
            .expect("the run's database is reachable");
        let fleet = Self {
            admin,
            prefix: fleet_tests::unique("chaos"),
            client: reqwest::Client::new(),
            broker: Mutex::new(Some(broker)),
            broker_port,
            broker_back: Mutex::new(None),
            members,
            peers,
            bin_dir,
            logs,
        };
        for member in &fleet.members {
            fleet.spawn(&member.name);
        }
        for member in &fleet.members {
            fleet.wait_ready(&member.name).await;
        }
        fleet
    }

    fn member(&self, name: &str) -> &Member {
        self.members
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no service {name}"))
    }

    /// The base URL of `name`.
    pub fn base_url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}", self.member(name).port)
    }

    fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.broker_port)
    }

    fn command(&self, member: &Member) -> Command {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.logs.join(format!("{}.log", member.name)))
            .expect("a service log can be opened");
        let mut command = Command::new(self.bin_dir.join("batbern"));
        command
            .arg(&member.name)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &member.database_url)
            // Two connections listen for good (relay and agenda changes), and a relay waiting
            // out a broker loss holds a third for up to its delivery timeout; six leave the
            // consumer and the requests room (seven services stay well inside PostgreSQL's
            // 100 connections).
            .env("DATABASE_MAX_CONNECTIONS", "6")
            .env("KAFKA_BROKERS", self.brokers())
            .env("KAFKA_TOPIC_PREFIX", &self.prefix)
            .env("BIND_ADDR", format!("127.0.0.1:{}", member.port))
            .env("JWT_SECRET", TEST_SECRET)
            .env("PUBLIC_BASE_URL", "http://127.0.0.1:9")
            .env("RATE_LIMIT_PER_MINUTE", "60000")
            .env("NOTIFICATIONS_POLL_MS", "50")
            .envs(self.peers.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log handle can be shared"))
            .stderr(log);
        for shared in [
            "SES_ENDPOINT",
            "S3_ENDPOINT",
            "S3_ACCESS_KEY_ID",
            "S3_SECRET_ACCESS_KEY",
            "S3_BUCKET",
            "S3_REGION",
            "CLAMD_ADDRESS",
            "RUST_LOG",
            "KAFKA_DEBUG",
        ] {
            if let Ok(value) = std::env::var(shared) {
                command.env(shared, value);
            }
        }
        command
    }

    fn spawn(&self, name: &str) {
        let member = self.member(name);
        let child = self
            .command(member)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} starts from {}: {e}", self.bin_dir.display()));
        *member.child.lock().expect("child lock") = Some(child);
    }

    async fn wait_ready(&self, name: &str) {
        let url = format!("{}/health/ready", self.base_url(name));
        let start = Instant::now();
        loop {
            if let Ok(answer) = self.client.get(&url).send().await {
                if answer.status().is_success() {
                    return;
                }
            }
            assert!(
                start.elapsed() < READY_WITHIN,
                "{name} is not ready within {READY_WITHIN:?} (see {})",
                self.logs.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the SQL condition `holds` (one boolean) is true.
    pub async fn until(&self, what: &str, holds: &str) {
        fleet_tests::eventually(Duration::from_secs(60), what, || async {
            let (now,): (bool,) = sqlx::query_as(holds)
                .fetch_one(&self.admin)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            now.then_some(())
        })
        .await
    }

    /// Kills `name` with SIGKILL: nothing of it runs afterwards.
    pub fn kill(&self, name: &str) {
        if let Some(mut child) = self.member(name).child.lock().expect("child lock").take() {
            child.kill().expect("SIGKILL reaches the service");
            child.wait().expect("the killed service is reaped");
        }
    }

    /// Starts `name` again on its port and waits until it is ready.
    pub async fn restart(&self, name: &str) {
        self.spawn(name);
        self.wait_ready(name).await;
    }

    /// The services that ended by themselves since they were (re)started, with how they
    /// ended; each is started again.
    pub async fn exited(&self) -> Vec<Ended> {
        let broker_loss = self
            .broker_back
            .lock()
            .expect("broker lock")
            .is_some_and(|back| back.elapsed() < BROKER_LOSS_AFTERMATH);
        let mut ended = Vec::new();
        for member in &self.members {
            let status = {
                let mut child = member.child.lock().expect("child lock");
                let status = child.as_mut().and_then(|c| c.try_wait().ok().flatten());
                if status.is_some() {
                    *child = None;
                }
                status
            };
            if let Some(status) = status {
                ended.push(Ended {
                    name: member.name.clone(),
                    status,
                    after_broker_loss: broker_loss && status.signal() == Some(SIGSEGV),
                });
                self.restart(&member.name).await;
            }
        }
        ended
    }

    /// Kills the broker: its log (memory storage) and the groups' offsets are gone.
    pub fn kill_broker(&self) {
        if let Some(broker) = self.broker.lock().expect("broker lock").take() {
            broker.kill();
        }
    }

    /// Starts an empty broker on the same port and has every service republish what its
    /// outbox holds since `since` (the operator's recovery: `<service> replay --since`).
    pub async fn restart_broker(&self, since: DateTime<Utc>) {
        let broker = OwnBroker::start_on(self.broker_port).await;
        *self.broker.lock().expect("broker lock") = Some(broker);
        *self.broker_back.lock().expect("broker lock") = Some(Instant::now());
        for member in &self.members {
            let status = self
                .command(member)
                .args(["replay", "--since", &since.to_rfc3339()])
                .status()
                .expect("replay runs");
            assert!(status.success(), "{} replay failed", member.name);
        }
    }

    /// Stops every service (SIGKILL: nothing is expected of them afterwards) and the broker.
    pub fn stop(&self) {
        for member in &self.members {
            self.kill(&member.name);
        }
        self.kill_broker();
    }
}
