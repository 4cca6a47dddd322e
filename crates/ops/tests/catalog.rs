//! The committed event catalog (`asyncapi/batbern.json`, `docs/events.md`) is what the
//! code generates.

fn committed(path: &str) -> String {
    let path = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is committed"))
}

#[test]
fn asyncapi_document_matches_the_contracts() {
    let generated = batbern_ops::asyncapi::document();
    let committed: serde_json::Value =
        serde_json::from_str(&committed("asyncapi/batbern.json")).expect("JSON");
    assert!(
        generated == committed,
        "asyncapi/batbern.json is out of date: run `cargo run -q -p batbern-ops -- asyncapi > asyncapi/batbern.json`"
    );
}

#[test]
fn events_page_matches_the_contracts() {
    assert!(
        batbern_ops::events_page::render() == committed("docs/events.md"),
        "docs/events.md is out of date: run `cargo run -q -p batbern-ops -- events-page > docs/events.md`"
    );
}

#[test]
fn every_event_has_a_channel_a_payload_and_its_consumers() {
    let document = batbern_ops::asyncapi::document();
    let messages = document["components"]["messages"].as_object().unwrap();
    assert_eq!(
        messages.len(),
        shared_domain::contracts::catalog::catalog().len()
    );
    for (name, message) in messages {
        let payload = message["payload"]["$ref"].as_str().unwrap();
        let schema = payload.rsplit('/').next().unwrap();
        let schema = &document["components"]["schemas"][schema];
        assert!(
            schema["properties"].is_object() || schema["allOf"].is_array(),
            "{name}'s payload has fields"
        );
    }
    // The registration saga's hops, as the architecture describes them.
    let receives = |consumer: &str, context: &str| {
        document["operations"][format!(
            "{consumer}Consumes{}{}",
            context[..1].to_uppercase(),
            &context[1..]
        )]["action"]
            == "receive"
    };
    assert!(receives("events", "attendees"));
    assert!(receives("attendees", "events"));
    assert!(receives("notifications", "attendees"));
    assert!(!receives("companies", "attendees"));
}

#[test]
fn every_type_a_service_reacts_to_is_an_event_of_a_topic_it_reads_and_back() {
    let catalog = shared_domain::contracts::catalog::catalog();
    for spec in batbern_ops::SERVICES {
        assert!(
            !spec.reacts_to.is_empty(),
            "{} reacts to something",
            spec.name
        );
        for event_type in spec.reacts_to {
            let event = catalog
                .iter()
                .find(|e| e.event_type == *event_type)
                .unwrap_or_else(|| panic!("{}: {event_type} is in the catalog", spec.name));
            assert!(
                spec.consumes.contains(&event.context),
                "{} reacts to {event_type} but does not read the {} topic",
                spec.name,
                event.context
            );
        }
    }
    for spec in batbern_ops::SERVICES {
        for context in spec.consumes {
            assert!(
                spec.reacts_to.iter().any(|t| catalog
                    .iter()
                    .any(|e| e.event_type == *t && e.context == *context)),
                "{} reads the {context} topic but reacts to none of its events",
                spec.name
            );
        }
    }
    // The registration saga's steps.
    assert_eq!(
        batbern_ops::reactors_of("attendees", "attendees.registration.requested.v1"),
        ["events"]
    );
    assert_eq!(
        batbern_ops::reactors_of("events", "events.seat.reserved.v1"),
        ["attendees"]
    );
}
