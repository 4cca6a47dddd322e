//! The product as its users meet it: one event's whole life driven through the gateway of
//! a fleet started as `scripts/fleet` starts it, and nothing else. The organizer plans
//! and publishes; speakers act through the links in their mails (read back from the SES
//! endpoint); attendees register past capacity and are waitlisted and promoted; a reader
//! confirms the newsletter through its link. Every mail must arrive once, in its
//! recipient's language, with a link that works; no request may meet a server error.
//!
//! `scripts/test` starts the fleet and sets `JOURNEY_GATEWAY`, `JOURNEY_SES`, `JOURNEY_OTLP` and
//! `JOURNEY_LOGS`.

mod audience;
mod authorization;
mod browser;
mod content;
mod contention;
mod demo;
mod gateway;
mod mailbox;
mod partners;
mod planning;
mod privacy;
mod reference;
mod timeline;
mod traces;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use gateway::{Caller, Fleet, SubjectIds};
use mailbox::Mailbox;

/// What one journey shares between its steps.
pub struct Journey {
    pub fleet: Fleet,
    pub public: Caller,
    pub organizer: Caller,
    pub mailbox: Mailbox,
    /// A suffix that keeps this run's addresses apart from earlier runs'.
    pub run: String,
    /// Every mail the journey expects: (address, subject prefix).
    pub expected: Vec<(String, String)>,
    /// Newsletter readers: the fleet's other journeys publish events too, and a reader
    /// rightly hears of those.
    pub readers: Vec<String>,
}

impl Journey {
    fn start() -> Self {
        let fleet = Fleet::from_env();
        let waits = Arc::new(AtomicUsize::new(0));
        let public = Caller::anonymous(&fleet, &waits);
        let organizer =
            public.with_token("journey-organizer", &["organizer"], SubjectIds::default());
        let mailbox = Mailbox::at(&fleet.ses);
        Journey {
            fleet,
            public,
            organizer,
            mailbox,
            run: uuid::Uuid::now_v7().simple().to_string()[..12].to_owned(),
            expected: Vec::new(),
            readers: Vec::new(),
        }
    }

    /// An address of this run.
    pub fn address(&self, name: &str) -> String {
        format!("{name}.{}@example.ch", self.run)
    }

    /// Waits for the mail to `address` starting with `subject` and records it as expected
    /// exactly once.
    pub async fn mail(&mut self, address: &str, subject: &str) -> fleet_tests::mail::SentMail {
        self.expected.push((address.to_owned(), subject.to_owned()));
        self.mailbox.wait_for(address, subject).await
    }

    pub fn waits(&self) -> usize {
        self.public.waits.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn an_event_from_planning_to_its_waitlist_through_the_gateway_alone() {
    let started = Instant::now();
    let mut journey = Journey::start();
    audience::browser_preflight_is_granted(&journey).await;

    let plan = planning::plan_event(&mut journey).await;
    let speakers = planning::invite_and_accept(&mut journey, &plan).await;
    planning::collect_material(&mut journey, &plan, &speakers).await;
    let reader = audience::newsletter_double_opt_in(&mut journey).await;
    planning::assign_and_publish(&mut journey, &plan, &speakers).await;
    audience::read_the_public_agenda(&mut journey, &plan, &reader).await;
    let confirmed = audience::register_past_capacity(&mut journey, &plan).await;
    audience::freed_seats_go_to_the_waitlist(&mut journey, &plan, confirmed).await;
    privacy::export_and_erase(&journey).await;

    every_mail_arrived_once(&journey).await;
    no_server_error_at_the_gateway(&journey);
    eprintln!(
        "journey: {} mails checked, {} not_yet_known answers repeated, {:.1} s",
        journey.expected.len(),
        journey.waits(),
        started.elapsed().as_secs_f64()
    );
}

/// Repeats `read` until `done` accepts its answer (a saga step still on its way).
pub async fn until(
    what: &str,
    mut read: impl AsyncFnMut() -> serde_json::Value,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    for _ in 0..150 {
        let value = read().await;
        if done(&value) {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("{what} did not happen within 30 s");
}

/// How every event's announcement to newsletter readers begins.
const ANNOUNCEMENT: &str = "BATbern ";

/// Each expected mail reached its recipient once, and nothing else reached them but
/// announcements of other journeys' events to newsletter readers.
pub(crate) async fn every_mail_arrived_once(journey: &Journey) {
    let mut per_address: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (address, subject) in &journey.expected {
        per_address.entry(address).or_default().push(subject);
    }
    for (address, subjects) in per_address {
        let mails = journey.mailbox.of(address).await;
        let reader = journey.readers.iter().any(|r| r == address);
        let received: Vec<&str> = mails
            .iter()
            .map(|m| m.subject.as_str())
            .filter(|s| {
                !(reader
                    && s.starts_with(ANNOUNCEMENT)
                    && !subjects.iter().any(|expected| s.starts_with(expected)))
            })
            .collect();
        assert_eq!(
            received.len(),
            subjects.len(),
            "{address} received {received:?}, expected {subjects:?}"
        );
        for subject in subjects {
            let matching = received.iter().filter(|s| s.starts_with(subject)).count();
            assert_eq!(matching, 1, "{address}: \"{subject}…\" in {received:?}");
        }
    }
}

/// The gateway's access log of this fleet holds no server error other than the
/// `not_yet_known` answers the journey repeated.
fn no_server_error_at_the_gateway(journey: &Journey) {
    let log = std::fs::read_to_string(format!("{}/gateway-access.log", journey.fleet.logs))
        .expect("the gateway's access log");
    let statuses: Vec<u16> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|entry| entry["status"].as_u64())
        .map(|s| s as u16)
        .collect();
    assert!(!statuses.is_empty(), "the gateway logged the journey");
    let unavailable = statuses.iter().filter(|s| **s == 503).count();
    let errors: Vec<&u16> = statuses
        .iter()
        .filter(|s| **s >= 500 && **s != 503)
        .collect();
    assert!(
        errors.is_empty(),
        "server errors at the gateway: {errors:?}"
    );
    assert!(
        unavailable <= journey.waits(),
        "{unavailable} 503s, {} of them not_yet_known",
        journey.waits()
    );
}
