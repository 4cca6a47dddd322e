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
    pub partners: TestService,
}

/// Starts the services `names` on fresh schemas of `db` and one bus, on ports bound
/// beforehand, each told where the others answer (`<NAME>_URL`), in the order given.
pub async fn start_group(db: &TestDb, names: &[&str]) -> Vec<TestService> {
    let mut listeners = Vec::new();
    let mut urls = Vec::new();
    for name in names {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("a bound address");
        let url = format!("http://{address}");
        urls.push((format!("{}_URL", name.to_uppercase()), url));
        listeners.push(listener);
    }
    let extra: Vec<(&str, &str)> = urls.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let prefix = crate::unique("t");
    let mut services = Vec::new();
    for (name, listener) in names.iter().zip(listeners) {
        let url = db.service_url(name).await;
        let service = match *name {
            "events" => {
                TestService::start_on(listener, url, prefix.clone(), &extra, |c, l, s| {
                    tokio::spawn(events::run(c, l, s))
                })
                .await
            }
            "companies" => {
                TestService::start_on(listener, url, prefix.clone(), &extra, |c, l, s| {
                    tokio::spawn(companies::run(c, l, s))
                })
                .await
            }
            "attendees" => {
                TestService::start_on(listener, url, prefix.clone(), &extra, |c, l, s| {
                    tokio::spawn(attendees::run(c, l, s))
                })
                .await
            }
            "speakers" => {
                TestService::start_on(listener, url, prefix.clone(), &extra, |c, l, s| {
                    tokio::spawn(speakers::run(c, l, s))
                })
                .await
            }
            "partners" => {
                TestService::start_on(listener, url, prefix.clone(), &extra, |c, l, s| {
                    tokio::spawn(partners::run(c, l, s))
                })
                .await
            }
            "content" => {
                let settings = crate::content::settings();
                TestService::start_on(listener, url, prefix.clone(), &extra, move |c, l, s| {
                    tokio::spawn(content::run_with(c, settings, l, s))
                })
                .await
            }
            "notifications" => {
                let mail = mail_settings();
                TestService::start_on(listener, url, prefix.clone(), &extra, move |c, l, s| {
                    tokio::spawn(notifications::run_with(
                        c,
                        mail,
                        Arc::new(SystemClock),
                        l,
                        s,
                    ))
                })
                .await
            }
            other => panic!("no service {other}"),
        };
        services.push(service);
    }
    services
}

impl PeopleFleet {
    /// Starts the six services on fresh schemas of `db`.
    pub async fn start(db: &TestDb) -> Self {
        let names = [
            "events",
            "companies",
            "attendees",
            "speakers",
            "notifications",
            "partners",
        ];
        let mut started = start_group(db, &names).await.into_iter();
        let mut next = || started.next().expect("every service started");
        Self {
            events: next(),
            companies: next(),
            attendees: next(),
            speakers: next(),
            notifications: next(),
            partners: next(),
        }
    }
}
