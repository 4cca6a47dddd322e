//! Erasure (GDPR): attendees who registered for an event and attended it are erased
//! (attendees anonymises each one, destroys their key and announces `AttendeeErased` →
//! notifications deletes their contact, registrations, preferences, subscription and logged
//! mail → partners forgets who attended, keeping the attendance). Effects: each person
//! erased in attendees, notifications and partners (nothing there names them by id or
//! address any more); `AttendeeErased` once each in attendees' outbox. The counts stay as
//! they were: the event's seats in events, the attended registrations in attendees, the
//! attendance in partners (a count moved by the erasure counts as doubled).

use std::time::Duration;

use async_trait::async_trait;
use fleet_tests::api::Api;
use fleet_tests::partners::id_of;
use fleet_tests::planning::{published_evening, walk_status};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared_domain::contracts::attendees::AttendeeErased;
use shared_domain::IntegrationEvent;
use uuid::Uuid;

use super::{event_number, organizer, until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

const SEATS: i32 = 10;
const PEOPLE: usize = 3;

/// Each context that held the people, and the people (`$1` ids, `$2` addresses) it no
/// longer holds: attendees keeps the anonymised row without the key, notifications and
/// partners keep nothing that names them.
const FORGOTTEN: [(&str, &str); 3] = [
    (
        "attendees",
        "select p.id from unnest($1::uuid[], $2::text[]) as p(id, email)
          where exists (select 1 from attendees.attendees a where a.id = p.id and a.erased_at is not null
                          and a.email = 'erased-' || a.id || '@erased.invalid'
                          and a.first_name = 'Erased' and a.last_name = 'Erased')
            and not exists (select 1 from attendees.attendees a where lower(a.email) = lower(p.email))
            and not exists (select 1 from attendees.person_keys k where k.person_id = p.id)",
    ),
    (
        "notifications",
        "select p.id from unnest($1::uuid[], $2::text[]) as p(id, email)
          where not exists (select 1 from notifications.recipients r
                             where r.id = p.id or lower(r.email) = lower(p.email))
            and not exists (select 1 from notifications.notification_log l
                             where l.user_id = p.id or lower(l.recipient_email) = lower(p.email))
            and not exists (select 1 from notifications.event_registrations r where r.attendee_id = p.id)
            and not exists (select 1 from notifications.notification_preferences n where n.user_id = p.id)
            and not exists (select 1 from notifications.newsletter_subscribers s where s.attendee_id = p.id)",
    ),
    (
        "partners",
        "select p.id from unnest($1::uuid[], $2::text[]) as p(id, email)
          where not exists (select 1 from partners.employee_attendance e where e.attendee_id = p.id)",
    ),
];

pub struct Erasure;

struct Started {
    event_id: String,
    emails: Vec<String>,
    attendees: Vec<Uuid>,
    registrations: Vec<Uuid>,
}

/// `ids` as an SQL array literal.
fn uuid_array(ids: &[Uuid]) -> String {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("array['{}']::uuid[]", ids.join("','"))
}

/// A count the erasure must leave as it was: one effect, there as long as the count holds;
/// each unit it moved (a seat released, an attendance dropped) counts as doubled.
fn unchanged(expected: usize, found: i64) -> Tally {
    Tally {
        expected: 1,
        seen: 1,
        doubled: found.abs_diff(expected as i64) as usize,
        resent: 0,
    }
}

#[async_trait]
impl Saga for Erasure {
    fn name(&self) -> &'static str {
        "erasure"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(80)
    }

    fn participants(&self) -> &'static [&'static str] {
        &["attendees", "notifications", "partners"]
    }

    async fn prepare(&self, fleet: &ProcessFleet) -> Box<dyn Run> {
        let events = organizer(fleet, "events");
        let (event_id, _, _) = published_evening(&events, event_number(), SEATS).await;
        walk_status(&events, &event_id, &["registration_open"]).await;
        let label = fleet_tests::unique("e");
        let emails: Vec<String> = (0..PEOPLE)
            .map(|n| format!("{label}-{n}@example.ch"))
            .collect();
        let attendees = sign_up(fleet, &emails).await;
        fleet
            .until(
                "attendees know the event",
                &format!(
                    "select count(*) = 1 from attendees.event_calendar
                      where event_id = '{event_id}' and status = 'registration_open'"
                ),
            )
            .await;
        let registrations = attend(fleet, &event_id, &attendees).await;
        let people = uuid_array(&attendees);
        fleet
            .until("every context holds the people", &format!(
                "select (select count(*) from notifications.recipients where id = any({people})) = {PEOPLE}
                    and (select count(*) from notifications.event_registrations where attendee_id = any({people}) and confirmed) = {PEOPLE}
                    and (select count(distinct user_id) from notifications.notification_log where user_id = any({people}) and sent_at is not null) = {PEOPLE}
                    and (select count(*) from partners.employee_attendance where attendee_id = any({people}) and attended) = {PEOPLE}
                    and (select current_attendee_count from events.events where id = '{event_id}') = {PEOPLE}"
            ))
            .await;
        Box::new(Started {
            event_id,
            emails,
            attendees,
            registrations,
        })
    }
}

/// Creates an attendee for each of `emails`; answers their ids.
async fn sign_up(fleet: &ProcessFleet, emails: &[String]) -> Vec<Uuid> {
    let people = organizer(fleet, "attendees");
    let mut attendees = Vec::new();
    for (n, email) in emails.iter().enumerate() {
        let body = json!({"email": email, "firstName": "Erasable", "lastName": format!("No {n}"), "language": "en", "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
        let created = people
            .post("/api/v1/attendees", &body)
            .await
            .expect(StatusCode::CREATED);
        attendees.push(id_of(&created));
    }
    attendees
}

/// Registers each of `attendees` for the event, waits until they are confirmed and records
/// that they attended; answers the registrations' ids.
async fn attend(fleet: &ProcessFleet, event_id: &str, attendees: &[Uuid]) -> Vec<Uuid> {
    let people = organizer(fleet, "attendees");
    let mut registrations = Vec::new();
    for attendee in attendees {
        let body = json!({"eventId": event_id, "attendeeId": attendee});
        let registered = people
            .post("/api/v1/registrations", &body)
            .await
            .expect(StatusCode::CREATED);
        registrations.push(id_of(&registered));
    }
    fleet
        .until(
            "the registrations are confirmed",
            &format!(
                "select count(*) = {PEOPLE} from attendees.event_registrations
                  where id = any({}) and status = 'confirmed'",
                uuid_array(&registrations)
            ),
        )
        .await;
    for registration in &registrations {
        people
            .put(
                &format!("/api/v1/registrations/{registration}/attendance"),
                &json!({"attended": true}),
            )
            .await
            .expect(StatusCode::OK);
    }
    registrations
}

/// Erases `attendee` until answered; a repeat after the erasure is answered 204 as well.
async fn erase(people: &Api, attendee: Uuid) {
    let path = format!("/api/v1/attendees/{attendee}");
    let (status, answer) = until_answered(people, Method::DELETE, &path, &json!({}), &[]).await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "DELETE {path} answered {status}: {answer}"
    );
}

impl Started {
    /// The people each context no longer holds, as `<context> <id>`.
    async fn forgotten(&self, fleet: &ProcessFleet) -> Vec<String> {
        let mut found = Vec::new();
        for (context, query) in FORGOTTEN {
            let ids: Vec<Uuid> = sqlx::query_scalar(query)
                .bind(&self.attendees)
                .bind(&self.emails)
                .fetch_all(&fleet.admin)
                .await
                .unwrap_or_else(|e| panic!("what {context} holds can be read: {e}"));
            found.extend(ids.into_iter().map(|id| format!("{context} {id}")));
        }
        found
    }

    /// How often attendees announced the people's erasure.
    async fn announced(&self, fleet: &ProcessFleet) -> usize {
        let ids: Vec<String> = self.attendees.iter().map(Uuid::to_string).collect();
        let (announced,): (i64,) = sqlx::query_as(
            "select count(*) from attendees.outbox where event_type = $1 and aggregate_id = any($2)",
        )
        .bind(AttendeeErased::EVENT_TYPE)
        .bind(&ids)
        .fetch_one(&fleet.admin)
        .await
        .expect("attendees' outbox can be read");
        announced as usize
    }

    /// The event's seats, the attended registrations and the attendance partners counts.
    async fn counts(&self, fleet: &ProcessFleet) -> (i64, i64, i64) {
        sqlx::query_as(
            "select (select current_attendee_count from events.events where id::text = $1)::bigint,
                    (select count(*) from attendees.event_registrations where id = any($2) and status = 'attended'),
                    (select count(*) from partners.employee_attendance where registration_id = any($2) and attended)",
        )
        .bind(&self.event_id)
        .bind(&self.registrations)
        .fetch_one(&fleet.admin)
        .await
        .expect("the counts can be read")
    }
}

#[async_trait]
impl Run for Started {
    async fn trigger(&self, fleet: &ProcessFleet) {
        let people = organizer(fleet, "attendees");
        join_all(self.attendees.iter().map(|id| erase(&people, *id))).await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let expected: Vec<String> = FORGOTTEN
            .iter()
            .flat_map(|(context, _)| {
                self.attendees
                    .iter()
                    .map(move |id| format!("{context} {id}"))
            })
            .collect();
        let (seats, attended, attendance) = self.counts(fleet).await;
        Tally::of(&expected, &self.forgotten(fleet).await)
            .and(Tally::number(PEOPLE, self.announced(fleet).await))
            .and(unchanged(PEOPLE, seats))
            .and(unchanged(PEOPLE, attended))
            .and(unchanged(PEOPLE, attendance))
    }
}
