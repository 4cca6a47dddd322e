//! Services as processes of their own: `batbern <service>`, the executable `cargo build
//! --bins` leaves in the target directory beside the test binaries (`scripts/test` builds
//! it), configured as the in-process test services are, so a test can kill one with
//! SIGKILL the way a crash or an orchestrator ends it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::services::TEST_SECRET;

/// One running service process.
pub struct ServiceProcess {
    pub name: String,
    pub base_url: String,
    pub client: reqwest::Client,
    child: Child,
    log: PathBuf,
}

/// The directory of the workspace's binaries (`target/<profile>`).
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows where it is");
    let deps = exe
        .parent()
        .expect("test binaries lie in target/<profile>/deps");
    deps.parent()
        .expect("deps lies in the profile")
        .to_path_buf()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl ServiceProcess {
    /// Starts service `name` (`batbern <name>`) on a free port, on `database_url` and the topics
    /// under `topic_prefix`; its output goes to `<target>/<profile>/<log_name>.log`.
    pub fn spawn(name: &str, database_url: &str, topic_prefix: &str, log_name: &str) -> Self {
        Self::spawn_with(name, database_url, topic_prefix, log_name, &[])
    }

    /// As [`Self::spawn`], with the settings `extra` (name, value) added to its environment.
    pub fn spawn_with(
        name: &str,
        database_url: &str,
        topic_prefix: &str,
        log_name: &str,
        extra: &[(&str, &str)],
    ) -> Self {
        let binary = bin_dir().join("batbern");
        assert!(
            binary.exists(),
            "{} is missing: build it first (cargo build --bins)",
            binary.display()
        );
        let log_path = bin_dir().join(format!("{log_name}.log"));
        let log = std::fs::File::create(&log_path).expect("a service log can be created");
        let port = free_port();
        let child = Command::new(&binary)
            .arg(name)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or("info".into()),
            )
            .env("DATABASE_URL", database_url)
            .env("DATABASE_MAX_CONNECTIONS", "4")
            .env("KAFKA_BROKERS", crate::brokers())
            .env("KAFKA_TOPIC_PREFIX", topic_prefix)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", TEST_SECRET)
            .env("PUBLIC_BASE_URL", "http://127.0.0.1:9")
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log handle can be shared"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{} {name} starts: {e}", binary.display()));
        Self {
            name: name.to_owned(),
            base_url: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            child,
            log: log_path,
        }
    }

    /// What the process has written to its standard output and error so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the service is ready (migrated, its workers running, its consumer in
    /// its group).
    pub async fn wait_until_ready(&self) {
        let url = format!("{}/health/ready", self.base_url);
        crate::eventually(Duration::from_secs(60), "the service is ready", || async {
            let answer = self.client.get(&url).send().await.ok()?;
            answer.status().is_success().then_some(())
        })
        .await
    }

    /// The service's Prometheus page (`/metrics`), or nothing when it does not answer.
    pub async fn metrics(&self) -> Option<String> {
        let answer = self.client.get(format!("{}/metrics", self.base_url));
        answer.send().await.ok()?.text().await.ok()
    }

    /// Asks the process to stop, with SIGTERM as an orchestrator or a terminal does.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM reaches the service");
    }

    /// Waits up to `deadline` for the process to end; its exit status, or nothing while it
    /// still runs.
    pub async fn exited_within(&mut self, deadline: Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + deadline;
        loop {
            if let Some(status) = self.child.try_wait().expect("the process can be waited on") {
                return Some(status);
            }
            if std::time::Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process with SIGKILL: its sockets close without a word, its in-flight
    /// transactions roll back, nothing of it runs afterwards.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL reaches the service");
        self.child.wait().expect("the killed service is reaped");
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
