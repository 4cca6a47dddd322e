//! The public's part of the journey: a browser's preflight, a reader who confirms the
//! newsletter through its link and follows the publication mail to the agenda, the agenda
//! read without a token in its three forms, and attendees who register past capacity and
//! move up when seats become free.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::gateway::{form_of, Caller, SubjectIds};
use crate::mailbox::link_in;
use crate::planning::Plan;
use crate::Journey;

/// The origin of the organizer front end the local fleet allows.
const FRONT_END: &str = "http://localhost:5173";

/// Someone the journey mails.
pub struct Person {
    pub inbox: String,
    pub language: &'static str,
    pub caller: Caller,
}

/// The preflight a browser on the front end's origin sends before a token call.
pub async fn browser_preflight_is_granted(journey: &Journey) {
    let answer = journey
        .public
        .send(
            Method::OPTIONS,
            "/api/v1/events",
            None,
            &[
                ("origin", FRONT_END),
                ("access-control-request-method", "PATCH"),
                (
                    "access-control-request-headers",
                    "authorization,content-type,if-match,idempotency-key",
                ),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers["access-control-allow-origin"], FRONT_END);
    let allowed = answer.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "authorization",
        "content-type",
        "if-match",
        "idempotency-key",
    ] {
        assert!(
            allowed.split(',').any(|h| h.trim() == header),
            "{header} not in {allowed}"
        );
    }
}

/// An attendee the organizer created, acting with their own token.
async fn attendee(journey: &Journey, name: &str, language: &'static str) -> Person {
    attendee_named(journey, name, name, language).await.0
}

/// An attendee with the address of `name` and the first name `first_name`, and their id.
pub async fn attendee_named(
    journey: &Journey,
    name: &str,
    first_name: &str,
    language: &'static str,
) -> (Person, Uuid) {
    let inbox = journey.address(name);
    let body = json!({"email": inbox, "firstName": first_name, "lastName": "Journey", "language": language,
        "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
    let created = journey
        .organizer
        .post("/api/v1/attendees", &body)
        .await
        .expect(StatusCode::CREATED);
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    // The fleet's internal routes (a person's key) are not reachable through the gateway.
    let from_outside = journey
        .public
        .get(&format!("/internal/person-keys/{id}"))
        .await;
    assert_eq!(from_outside.status, StatusCode::NOT_FOUND);
    let caller = journey.public.with_token(
        &format!("attendee-{id}"),
        &["attendee"],
        SubjectIds {
            attendee: Some(id),
            ..SubjectIds::default()
        },
    );
    let person = Person {
        inbox,
        language,
        caller,
    };
    (person, id)
}

/// A reader subscribes, opens the confirmation link of the mail and confirms on its page.
pub async fn newsletter_double_opt_in(journey: &mut Journey) -> Person {
    let reader = attendee(journey, "rita", "en").await;
    journey.readers.push(reader.inbox.clone());
    reader
        .caller
        .post(
            "/api/v1/newsletter/subscriptions",
            &json!({"source": "website"}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    let mail = journey
        .mail(
            &reader.inbox,
            "Please confirm your BATbern newsletter subscription",
        )
        .await;
    let page = journey
        .public
        .get(&link_in(&mail, "/newsletter/confirm"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let (action, token) = form_of(&page.text, "/newsletter/confirm");
    let confirmed = journey
        .public
        .submit_form(&action, &[("token", &token)])
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    assert!(
        confirmed.text.contains("subscription is confirmed"),
        "{}",
        confirmed.text
    );
    let unsubscribe = link_in(&mail, "/newsletter/unsubscribe");
    let offer = journey.public.get(&unsubscribe).await;
    assert_eq!(
        offer.status,
        StatusCode::OK,
        "the unsubscribe link opens: {}",
        offer.text
    );
    reader
}

/// The reader's publication mail leads to the agenda; the agenda is public as JSON, iCal
/// and frab, and answers 304 to a reader who has it.
pub async fn read_the_public_agenda(journey: &mut Journey, plan: &Plan, reader: &Person) {
    let subject = format!("BATbern {}: “{}”", plan.event_number, plan.event_title);
    let mail = journey.mail(&reader.inbox, &subject).await;
    let agenda = journey.public.get(&link_in(&mail, "/agenda")).await;
    let body = agenda.body.clone();
    assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.text);
    assert_eq!(body["event"]["title"], plan.event_title.as_str());
    let sessions: Vec<&Value> = body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["session"].is_null())
        .collect();
    assert_eq!(sessions.len(), plan.people.len(), "{body}");
    let named: Vec<&Value> = sessions
        .iter()
        .flat_map(|s| s["session"]["speakers"].as_array().unwrap())
        .collect();
    for (_, name, _, _) in &plan.people {
        let speaker = named
            .iter()
            .find(|s| s["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} is not named on the agenda: {body}"));
        assert!(
            speaker["company"]
                .as_str()
                .unwrap()
                .starts_with("Journey AG"),
            "{speaker}"
        );
        let approved = speaker["abstract"].as_str().unwrap_or_default();
        assert!(
            approved.contains("lessons we learned"),
            "the approved abstract: {speaker}"
        );
    }
    let base = format!("/api/v1/events/{}/agenda", plan.event_id);
    // A caller taking gzip gets the compressed rendering; the gateway keeps it apart from
    // the plain one, which the next caller, taking no gzip, gets.
    let gzipped = journey
        .public
        .send(
            Method::GET,
            &format!("{base}/ical"),
            None,
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(gzipped.status, StatusCode::OK);
    assert_eq!(gzipped.headers["content-encoding"], "gzip");
    let ical = journey.public.get(&format!("{base}/ical")).await;
    assert_eq!(ical.status, StatusCode::OK);
    assert!(
        ical.headers.get("content-encoding").is_none(),
        "{:?}",
        ical.headers
    );
    assert!(
        ical.text.contains("BEGIN:VCALENDAR") && ical.text.contains("Event Sourcing in Practice")
    );
    let frab = journey
        .public
        .get(&format!("{base}/frab"))
        .await
        .expect(StatusCode::OK);
    assert!(frab["schedule"].is_object(), "{frab}");
    // iCalendar folds long lines; unfolded, every name is there.
    let unfolded = ical.text.replace("\r\n ", "");
    for (_, name, _, _) in &plan.people {
        assert!(unfolded.contains(name.as_str()), "iCal names {name}");
        assert!(
            frab.to_string()
                .contains(&format!("\"public_name\":\"{name}\"")),
            "frab names {name}"
        );
    }
    let listed = journey
        .public
        .get("/api/v1/events?limit=100")
        .await
        .expect(StatusCode::OK);
    let shown = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == plan.event_id.as_str());
    let shown = shown.unwrap_or_else(|| panic!("the tokenless list shows the event: {listed}"));
    assert_eq!(shown["title"], plan.event_title.as_str());
    let tag = agenda.etag();
    let again = journey
        .public
        .send(Method::GET, &base, None, &[("if-none-match", &tag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // The gateway keeps the public agenda for the seconds its Cache-Control allows; a
    // caller with a token is always answered by the service itself.
    let cache_status = |answer: &crate::gateway::Answer| {
        answer.headers["x-cache-status"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    journey.public.get(&base).await.expect(StatusCode::OK);
    let kept = journey.public.get(&base).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(cache_status(&kept), "HIT");
    assert_eq!(kept.body["event"]["title"], plan.event_title.as_str());
    let with_token = journey.organizer.get(&base).await;
    assert_eq!(with_token.status, StatusCode::OK);
    assert_eq!(cache_status(&with_token), "BYPASS");
}

async fn register(person: &Person, plan: &Plan, outcome: &str) -> String {
    let registration = person
        .caller
        .post("/api/v1/registrations", &json!({"eventId": plan.event_id}))
        .await
        .expect(StatusCode::CREATED);
    let id = registration["id"].as_str().unwrap().to_owned();
    wait_for_status(person, &id, outcome).await;
    id
}

async fn wait_for_status(person: &Person, id: &str, status: &str) {
    fleet_tests::eventually(
        Duration::from_secs(60),
        &format!("registration {id} is {status}"),
        || async {
            let current = person
                .caller
                .get(&format!("/api/v1/registrations/{id}"))
                .await
                .expect(StatusCode::OK);
            (current["status"] == status).then_some(())
        },
    )
    .await;
}

/// Three attendees for two seats: two are confirmed, the third waitlisted; the first
/// cancels and the waitlisted one is promoted. Each hears of it in their language. Returns
/// the second, who keeps their seat, and their id.
pub async fn register_past_capacity(journey: &mut Journey, plan: &Plan) -> (Person, Uuid) {
    let title = &plan.event_title;
    let anna = attendee(journey, "alma", "de").await;
    let (bob, bob_id) = attendee_named(journey, "bob", "bob", "en").await;
    let cleo = attendee(journey, "cleo", "de").await;
    let first = register(&anna, plan, "confirmed").await;
    journey
        .mail(&anna.inbox, &format!("Anmeldung bestätigt: {title}"))
        .await;
    register(&bob, plan, "confirmed").await;
    journey
        .mail(&bob.inbox, &format!("Registration confirmed: {title}"))
        .await;
    let waiting = register(&cleo, plan, "waitlisted").await;
    journey
        .mail(&cleo.inbox, &format!("Warteliste: {title}"))
        .await;

    anna.caller
        .post(&format!("/api/v1/registrations/{first}/cancel"), &json!({}))
        .await
        .expect(StatusCode::OK);
    journey
        .mail(&anna.inbox, &format!("Anmeldung storniert: {title}"))
        .await;
    wait_for_status(&cleo, &waiting, "confirmed").await;
    journey
        .mail(
            &cleo.inbox,
            &format!("Ein Platz ist frei geworden: {title}"),
        )
        .await;
    assert_eq!(cleo.language, "de");
    (bob, bob_id)
}

/// Seats that become free go to the waitlist, oldest first: the organizer raises the
/// capacity by one (and the gateway's cached agenda shows it as soon as it is no longer
/// fresh), then a confirmed attendee asks to be erased, and their seat goes on too; the
/// erased attendee is mailed nothing more.
pub async fn freed_seats_go_to_the_waitlist(
    journey: &mut Journey,
    plan: &Plan,
    confirmed: (Person, Uuid),
) {
    let title = &plan.event_title;
    let agenda = format!("/api/v1/events/{}/agenda", plan.event_id);
    let before = journey.public.get(&agenda).await.expect(StatusCode::OK);
    let dana = attendee(journey, "dana", "de").await;
    let waiting = register(&dana, plan, "waitlisted").await;
    journey
        .mail(&dana.inbox, &format!("Warteliste: {title}"))
        .await;

    let event = format!("/api/v1/events/{}", plan.event_id);
    let current = journey.organizer.get(&event).await;
    let capacity = current.body["capacity"].as_i64().unwrap() + 1;
    let raised = journey
        .organizer
        .send(
            Method::PATCH,
            &event,
            Some(&json!({"capacity": capacity})),
            &[("if-match", &current.etag())],
        )
        .await;
    assert_eq!(raised.status, StatusCode::OK, "{}", raised.text);
    wait_for_status(&dana, &waiting, "confirmed").await;
    journey
        .mail(
            &dana.inbox,
            &format!("Ein Platz ist frei geworden: {title}"),
        )
        .await;
    // The gateway may answer from its cache while the agenda is fresh (5 s); the first
    // answer that is not such a hit was revalidated, whatever the quiet spell before it.
    assert_eq!(before["event"]["capacity"], capacity - 1);
    let public = journey.public.clone();
    let revalidated = fleet_tests::eventually(
        Duration::from_secs(30),
        "the gateway's agenda is no longer a fresh hit",
        || async {
            let answer = public.get(&agenda).await;
            (answer.headers["x-cache-status"] != "HIT").then_some(answer)
        },
    )
    .await;
    assert_eq!(
        revalidated.body["event"]["capacity"], capacity,
        "{:?}",
        revalidated.headers
    );

    let erin = attendee(journey, "erin", "en").await;
    let next = register(&erin, plan, "waitlisted").await;
    journey
        .mail(&erin.inbox, &format!("Waitlist: {title}"))
        .await;
    let (bob, bob_id) = confirmed;
    let erased = bob
        .caller
        .send(
            Method::DELETE,
            &format!("/api/v1/attendees/{bob_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    wait_for_status(&erin, &next, "confirmed").await;
    journey
        .mail(&erin.inbox, &format!("A seat is available: {title}"))
        .await;
}
