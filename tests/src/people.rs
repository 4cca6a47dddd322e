//! The contexts that hold people's data, started together on ports bound beforehand, so
//! each knows where the others answer (people's keys, the export), as in the fleet.

use std::sync::Arc;

use notifications::clock::SystemClock;
use tokio::net::TcpListener;

use crate::database::TestDb;
use crate::services::mail_settings;
use crate::TestService;

/// Events, companies, attendees, speakers and notifications on one bus.
pub struct PeopleFleet {
    pub events: TestService,
    pub companies: TestService,
    pub attendees: TestService,
    pub speakers: TestService,
    pub notifications: TestService,
}

/// A port for each of `names` and the `<NAME>_URL` settings pointing at them.
pub async fn bind_ports(names: &[&str]) -> (Vec<TcpListener>, Vec<(String, String)>) {
    let mut listeners = Vec::new();
    let mut urls = Vec::new();
    for name in names {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("a bound address");
        urls.push((
            format!("{}_URL", name.to_uppercase()),
            format!("http://{address}"),
        ));
        listeners.push(listener);
    }
    (listeners, urls)
}

impl PeopleFleet {
    /// Starts the five services on fresh schemas of `db`.
    pub async fn start(db: &TestDb) -> Self {
        let names = [
            "events",
            "companies",
            "attendees",
            "speakers",
            "notifications",
        ];
        let (listeners, urls) = bind_ports(&names).await;
        let extra: Vec<(&str, &str)> = urls.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let prefix = crate::unique("t");
        let mut listeners = listeners.into_iter();
        let mut next = || listeners.next().expect("one port per service");
        let events = TestService::start_on(
            next(),
            db.service_url("events").await,
            prefix.clone(),
            &extra,
            |c, l, s| tokio::spawn(events::run(c, l, s)),
        )
        .await;
        let companies = TestService::start_on(
            next(),
            db.service_url("companies").await,
            prefix.clone(),
            &extra,
            |c, l, s| tokio::spawn(companies::run(c, l, s)),
        )
        .await;
        let attendees = TestService::start_on(
            next(),
            db.service_url("attendees").await,
            prefix.clone(),
            &extra,
            |c, l, s| tokio::spawn(attendees::run(c, l, s)),
        )
        .await;
        let speakers = TestService::start_on(
            next(),
            db.service_url("speakers").await,
            prefix.clone(),
            &extra,
            |c, l, s| tokio::spawn(speakers::run(c, l, s)),
        )
        .await;
        let mail = mail_settings();
        let notifications = TestService::start_on(
            next(),
            db.service_url("notifications").await,
            prefix,
            &extra,
            move |c, l, s| {
                tokio::spawn(notifications::run_with(
                    c,
                    mail,
                    Arc::new(SystemClock),
                    l,
                    s,
                ))
            },
        )
        .await;
        Self {
            events,
            companies,
            attendees,
            speakers,
            notifications,
        }
    }
}
