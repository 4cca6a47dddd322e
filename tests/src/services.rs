//! Services started in-process on an ephemeral port, each with its own database role and a
//! topic prefix of its own so tests running in parallel never see each other's events.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use notifications::clock::Clock;
use notifications::settings::MailSettings;
use service_kit::auth::{mint_hs256, Claims};
use service_kit::credentials::{DEV_JWT_AUDIENCE, DEV_JWT_ISSUER};
use service_kit::ServiceConfig;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::database::TestDb;

/// The HS256 secret of test services.
pub const TEST_SECRET: &str = "fleet-tests-secret-0123456789";

/// A running service under test.
pub struct TestService {
    pub address: SocketAddr,
    pub base_url: String,
    pub topic_prefix: String,
    pub database_url: String,
    pub client: reqwest::Client,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// The token of the SES event webhook in tests.
pub const WEBHOOK_TOKEN: &str = "fleet-tests-webhook-token";

/// Mail settings of a test notifications service: the local SES endpoint, a scheduler
/// that looks every 50 ms, three attempts per mail.
pub fn mail_settings() -> MailSettings {
    MailSettings {
        ses_endpoint: Some(crate::mail::ses_endpoint()),
        ses_region: "eu-central-1".into(),
        mail_from: "BATbern <noreply@batbern.ch>".into(),
        webhook_token: WEBHOOK_TOKEN.into(),
        poll_interval: Duration::from_millis(50),
        max_attempts: 3,
        send_timeout: Duration::from_secs(10),
    }
}

/// Builds the configuration a test service runs with.
pub fn config(database_url: &str, topic_prefix: &str, extra: &[(&str, &str)]) -> ServiceConfig {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.to_owned()),
        ("KAFKA_BROKERS".into(), crate::brokers()),
        ("KAFKA_TOPIC_PREFIX".into(), topic_prefix.to_owned()),
        ("KAFKA_PARTITIONS".into(), "3".into()),
        ("JWT_SECRET".into(), TEST_SECRET.into()),
        ("BIND_ADDR".into(), "127.0.0.1:0".into()),
        ("BODY_LIMIT_BYTES".into(), "65536".into()),
        // A notifications service fills its pool while it delivers; with six tests at once,
        // some of four or five services, small pools keep the run inside the database's
        // connection limit.
        ("DATABASE_MAX_CONNECTIONS".into(), "5".into()),
        // Rush tests send hundreds of requests with one organizer token, as a bulk import
        // would; the budgets have tests of their own (security_rate_limits).
        ("RATE_LIMIT_PER_MINUTE".into(), "60000".into()),
        // Other services answer only where a test says (`notifications_keyed`,
        // `PeopleFleet`), never a fleet that happens to run on the registry's ports.
        ("COMPANIES_URL".into(), "http://127.0.0.1:9".into()),
        ("EVENTS_URL".into(), "http://127.0.0.1:9".into()),
        ("ATTENDEES_URL".into(), "http://127.0.0.1:9".into()),
        ("SPEAKERS_URL".into(), "http://127.0.0.1:9".into()),
        ("NOTIFICATIONS_URL".into(), "http://127.0.0.1:9".into()),
        ("PARTNERS_URL".into(), "http://127.0.0.1:9".into()),
        ("CONTENT_URL".into(), "http://127.0.0.1:9".into()),
    ]);
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ServiceConfig::from_lookup(0, |name| vars.get(name).cloned())
        .expect("test configuration is valid")
}

impl TestService {
    /// Starts the companies service on a fresh schema of `db`.
    pub async fn companies(db: &TestDb) -> Self {
        Self::companies_with(db, &[]).await
    }

    /// Starts the companies service on a fresh schema of `db` with `extra` configuration.
    pub async fn companies_with(db: &TestDb, extra: &[(&str, &str)]) -> Self {
        let database_url = db.service_url("companies").await;
        Self::start_with(
            database_url,
            crate::unique("t"),
            extra,
            |config, listener, shutdown| tokio::spawn(companies::run(config, listener, shutdown)),
        )
        .await
    }

    /// Starts the events service on a fresh schema of `db`.
    pub async fn events(db: &TestDb) -> Self {
        Self::events_with(db, &[]).await
    }

    /// Starts the events service on a fresh schema of `db` with `extra` configuration.
    pub async fn events_with(db: &TestDb, extra: &[(&str, &str)]) -> Self {
        let database_url = db.service_url("events").await;
        Self::start_with(
            database_url,
            crate::unique("t"),
            extra,
            |config, listener, shutdown| tokio::spawn(events::run(config, listener, shutdown)),
        )
        .await
    }

    /// Starts the attendees service on a fresh schema of `db`, on the bus of `peer` (so the
    /// two services exchange events).
    pub async fn attendees_beside(db: &TestDb, peer: &TestService) -> Self {
        let database_url = db.service_url("attendees").await;
        Self::start(
            database_url,
            peer.topic_prefix.clone(),
            |config, listener, shutdown| tokio::spawn(attendees::run(config, listener, shutdown)),
        )
        .await
    }

    /// Starts the speakers service on a fresh schema of `db`, on the bus of `peer`.
    pub async fn speakers_beside(db: &TestDb, peer: &TestService) -> Self {
        let database_url = db.service_url("speakers").await;
        Self::start(
            database_url,
            peer.topic_prefix.clone(),
            |config, listener, shutdown| tokio::spawn(speakers::run(config, listener, shutdown)),
        )
        .await
    }

    /// Starts the companies service on a fresh schema of `db`, on the bus of `peer`.
    pub async fn companies_beside(db: &TestDb, peer: &TestService) -> Self {
        let database_url = db.service_url("companies").await;
        Self::start(
            database_url,
            peer.topic_prefix.clone(),
            |config, listener, shutdown| tokio::spawn(companies::run(config, listener, shutdown)),
        )
        .await
    }

    /// Starts the notifications service alone on a fresh schema of `db`, with `clock`.
    pub async fn notifications(db: &TestDb, clock: Arc<dyn Clock>) -> Self {
        let database_url = db.service_url("notifications").await;
        Self::notifications_with(database_url, crate::unique("t"), mail_settings(), clock).await
    }

    /// Starts the notifications service on a fresh schema of `db`, on the bus of `peer`,
    /// mailing through the local SES endpoint, with `clock`.
    pub async fn notifications_beside(
        db: &TestDb,
        peer: &TestService,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let database_url = db.service_url("notifications").await;
        Self::notifications_with(
            database_url,
            peer.topic_prefix.clone(),
            mail_settings(),
            clock,
        )
        .await
    }

    /// Starts the notifications service on a fresh schema of `db`, on the bus of `peer`,
    /// fetching people's keys from `owners` (e.g. `("attendees", &attendees)`) as the
    /// fleet's notifications service does.
    pub async fn notifications_keyed(
        db: &TestDb,
        peer: &TestService,
        owners: &[(&str, &TestService)],
        clock: Arc<dyn Clock>,
    ) -> Self {
        let database_url = db.service_url("notifications").await;
        let urls: Vec<(String, String)> = owners
            .iter()
            .map(|(name, owner)| {
                (
                    format!("{}_URL", name.to_uppercase()),
                    owner.base_url.clone(),
                )
            })
            .collect();
        let extra: Vec<(&str, &str)> = urls.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mail = mail_settings();
        Self::start_with(
            database_url,
            peer.topic_prefix.clone(),
            &extra,
            move |config, listener, shutdown| {
                tokio::spawn(notifications::run_with(
                    config, mail, clock, listener, shutdown,
                ))
            },
        )
        .await
    }

    /// Starts (or restarts) the notifications service on `database_url` with `mail`.
    pub async fn notifications_with(
        database_url: String,
        topic_prefix: String,
        mail: MailSettings,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::start(
            database_url,
            topic_prefix,
            move |config, listener, shutdown| {
                tokio::spawn(notifications::run_with(
                    config, mail, clock, listener, shutdown,
                ))
            },
        )
        .await
    }

    /// A second instance of the events service sharing `first`'s database, topics and
    /// consumer group (as a scaled-out deployment does).
    pub async fn events_replica(first: &TestService) -> Self {
        Self::start(
            first.database_url.clone(),
            first.topic_prefix.clone(),
            |config, listener, shutdown| tokio::spawn(events::run(config, listener, shutdown)),
        )
        .await
    }

    async fn start(
        database_url: String,
        topic_prefix: String,
        run: impl FnOnce(
            ServiceConfig,
            tokio::net::TcpListener,
            CancellationToken,
        ) -> tokio::task::JoinHandle<anyhow::Result<()>>,
    ) -> Self {
        Self::start_with(database_url, topic_prefix, &[], run).await
    }

    async fn start_with(
        database_url: String,
        topic_prefix: String,
        extra: &[(&str, &str)],
        run: impl FnOnce(
            ServiceConfig,
            tokio::net::TcpListener,
            CancellationToken,
        ) -> tokio::task::JoinHandle<anyhow::Result<()>>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port");
        Self::start_on(listener, database_url, topic_prefix, extra, run).await
    }

    /// Starts a service on `listener` (bound beforehand, so other services can be told
    /// where it answers).
    pub(crate) async fn start_on(
        listener: tokio::net::TcpListener,
        database_url: String,
        topic_prefix: String,
        extra: &[(&str, &str)],
        run: impl FnOnce(
            ServiceConfig,
            tokio::net::TcpListener,
            CancellationToken,
        ) -> tokio::task::JoinHandle<anyhow::Result<()>>,
    ) -> Self {
        crate::logs::capture();
        let config = config(&database_url, &topic_prefix, extra);
        let address = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let task = run(config, listener, shutdown.clone());
        let mut service = Self {
            address,
            base_url: format!("http://{address}"),
            topic_prefix,
            database_url,
            client: reqwest::Client::new(),
            shutdown,
            task,
        };
        service.wait_until_live().await;
        service
    }

    async fn wait_until_live(&mut self) {
        let url = format!("{}/health/live", self.base_url);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if self.task.is_finished() {
                let outcome = (&mut self.task).await;
                panic!("the service stopped while starting: {outcome:?}");
            }
            if self
                .client
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the service did not answer /health/live within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the service is ready: migrated, and its consumer in its group with
    /// partitions assigned (so what is published from now on reaches it within moments).
    pub async fn wait_until_ready(&self) {
        let url = format!("{}/health/ready", self.base_url);
        crate::eventually(Duration::from_secs(60), "the service is ready", || async {
            let answer = self.client.get(&url).send().await.ok()?;
            answer.status().is_success().then_some(())
        })
        .await
    }

    /// The service's Prometheus page (`/metrics`).
    pub async fn metrics(&self) -> String {
        let answer = self.client.get(self.url("/metrics")).send().await;
        answer
            .expect("/metrics answers")
            .text()
            .await
            .expect("a text page")
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The topic a context publishes on, under this service's prefix.
    pub fn topic(&self, context: &str) -> String {
        format!("{}.{context}.v1", self.topic_prefix)
    }

    /// Kills the service abruptly (in-flight transactions roll back, nothing is flushed) and
    /// returns its database URL and topic prefix for a restart.
    pub async fn crash(self) -> (String, String) {
        self.task.abort();
        let _ = self.task.await;
        (self.database_url, self.topic_prefix)
    }

    /// Starts the attendees service again on an existing schema and bus.
    pub async fn restart_attendees(database_url: String, topic_prefix: String) -> Self {
        Self::start(database_url, topic_prefix, |config, listener, shutdown| {
            tokio::spawn(attendees::run(config, listener, shutdown))
        })
        .await
    }

    /// Starts the speakers service again on an existing schema and bus.
    pub async fn restart_speakers(database_url: String, topic_prefix: String) -> Self {
        Self::start(database_url, topic_prefix, |config, listener, shutdown| {
            tokio::spawn(speakers::run(config, listener, shutdown))
        })
        .await
    }

    /// Starts the events service again on an existing schema and bus.
    pub async fn restart_events(database_url: String, topic_prefix: String) -> Self {
        Self::start(database_url, topic_prefix, |config, listener, shutdown| {
            tokio::spawn(events::run(config, listener, shutdown))
        })
        .await
    }

    /// Starts the partners service again on an existing schema and bus.
    pub async fn restart_partners(database_url: String, topic_prefix: String) -> Self {
        Self::start(database_url, topic_prefix, |config, listener, shutdown| {
            tokio::spawn(partners::run(config, listener, shutdown))
        })
        .await
    }

    /// Starts the content service alone on a fresh schema of `db` with `settings`.
    pub async fn content_with(db: &TestDb, settings: content::settings::ContentSettings) -> Self {
        let database_url = db.service_url("content").await;
        Self::restart_content(database_url, crate::unique("t"), settings).await
    }

    /// Starts the content service again on an existing schema and bus with `settings`.
    pub async fn restart_content(
        database_url: String,
        topic_prefix: String,
        settings: content::settings::ContentSettings,
    ) -> Self {
        Self::start(
            database_url,
            topic_prefix,
            move |config, listener, shutdown| {
                tokio::spawn(content::run_with(config, settings, listener, shutdown))
            },
        )
        .await
    }

    /// Stops the service gracefully and waits for it.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("service task")
            .expect("service stopped cleanly");
    }
}

/// A valid token of the test services for `roles`, optionally tied to a company.
pub fn token(roles: &[&str], company_id: Option<Uuid>) -> String {
    token_signed(TEST_SECRET, roles, company_id)
}

/// A token for `roles` signed with `secret`.
pub fn token_signed(secret: &str, roles: &[&str], company_id: Option<Uuid>) -> String {
    token_of(
        secret,
        &format!("user-{}", roles.join("-")),
        roles,
        company_id,
    )
}

/// A test token of the user `subject` with `roles`.
pub fn token_for(subject: &str, roles: &[&str]) -> String {
    token_of(TEST_SECRET, subject, roles, None)
}

/// A test token of the speaker `speaker_id` (speaker role and `speakerId` claim).
pub fn token_of_speaker(speaker_id: &str) -> String {
    token_of_speaker_signed(TEST_SECRET, speaker_id)
}

/// A token of the speaker `speaker_id` signed with `secret`.
pub fn token_of_speaker_signed(secret: &str, speaker_id: &str) -> String {
    mint_hs256(
        secret,
        &Claims {
            sub: format!("speaker-{speaker_id}"),
            roles: vec!["speaker".into()],
            speaker_id: Some(speaker_id.parse().expect("a speaker id")),
            company_id: None,
            attendee_id: None,
            email: None,
            exp: chrono::Utc::now().timestamp() + 3600,
            nbf: None,
            iss: Some(DEV_JWT_ISSUER.into()),
            aud: Some(DEV_JWT_AUDIENCE.into()),
        },
    )
}

/// A test token of a person without a record yet whose account holds `email`.
pub fn token_of_account(subject: &str, roles: &[&str], email: &str) -> String {
    mint_hs256(
        TEST_SECRET,
        &Claims {
            email: Some(email.to_owned()),
            ..claims(subject, roles)
        },
    )
}

/// The claims of a test token of `subject` with `roles` and nothing else.
pub fn claims(subject: &str, roles: &[&str]) -> Claims {
    Claims {
        sub: subject.to_owned(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        speaker_id: None,
        company_id: None,
        attendee_id: None,
        email: None,
        exp: chrono::Utc::now().timestamp() + 3600,
        nbf: None,
        iss: Some(DEV_JWT_ISSUER.into()),
        aud: Some(DEV_JWT_AUDIENCE.into()),
    }
}

fn token_of(secret: &str, subject: &str, roles: &[&str], company_id: Option<Uuid>) -> String {
    mint_hs256(
        secret,
        &Claims {
            sub: subject.to_owned(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            speaker_id: None,
            company_id,
            attendee_id: None,
            email: None,
            exp: chrono::Utc::now().timestamp() + 3600,
            nbf: None,
            iss: Some(DEV_JWT_ISSUER.into()),
            aud: Some(DEV_JWT_AUDIENCE.into()),
        },
    )
}
