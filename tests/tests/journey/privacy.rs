//! A person's rights through the gateway: everything the platform holds about them in one
//! export, then erasure; afterwards an independent client reading every topic of the
//! fleet's broker finds neither their address nor their name.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::audience::attendee_named;
use crate::Journey;

pub async fn export_and_erase(journey: &Journey) {
    let first_name = format!("Erika{}", journey.run);
    let (erika, id) = attendee_named(journey, "erika", &first_name, "de").await;
    let export = fleet_tests::eventually(
        Duration::from_secs(60),
        "the export shows the notifications context's contact",
        || async {
            let export = erika
                .caller
                .get(&format!("/api/v1/attendees/{id}/export"))
                .await
                .expect(StatusCode::OK);
            let contact = &export["elsewhere"]["notifications"]["recipients"][0]["email"];
            (contact == erika.inbox.as_str()).then_some(export)
        },
    )
    .await;
    assert_eq!(export["attendee"]["firstName"], first_name.as_str());
    assert!(export["elsewhere"]["events"]["seat_reservations"].is_array());

    let erased = erika
        .caller
        .send(
            Method::DELETE,
            &format!("/api/v1/attendees/{id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    fleet_tests::eventually(
        Duration::from_secs(60),
        "the notifications context forgot the contact",
        || async {
            let export = erika
                .caller
                .get(&format!("/api/v1/attendees/{id}/export"))
                .await
                .expect(StatusCode::OK);
            let contacts = export["elsewhere"]["notifications"]["recipients"]
                .as_array()
                .cloned();
            contacts.is_some_and(|c| c.is_empty()).then_some(())
        },
    )
    .await;

    let records = fleet_tests::read_every_topic(&journey.fleet.broker, "batbern.").await;
    assert!(!records.is_empty(), "the auditor read the fleet's topics");
    let needles = [erika.inbox.to_lowercase(), first_name.to_lowercase()];
    let showing: Vec<&str> = records
        .iter()
        .filter(|r| needles.iter().any(|n| r.text().contains(n.as_str())))
        .map(|r| r.topic.as_str())
        .collect();
    assert!(
        showing.is_empty(),
        "the erased person in plain text on {showing:?}"
    );
}
