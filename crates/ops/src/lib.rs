//! Operations tooling of the fleet: the event catalog of the bus as an AsyncAPI 3 document
//! and as a page of the docs, both generated from the shared-domain contracts and from
//! which contexts each service consumes; and one saga's timeline across the services.

pub mod asyncapi;
pub mod events_page;
pub mod saga;

use service_kit::server::ServiceSpec;

/// Every service of the fleet, in the registry's order.
pub const SERVICES: [ServiceSpec; 7] = [
    companies::SPEC,
    events::SPEC,
    speakers::SPEC,
    content::SPEC,
    attendees::SPEC,
    partners::SPEC,
    notifications::SPEC,
];

/// The services whose reaction acts on `event_type` (an event of `context`'s topic).
pub fn reactors_of(context: &str, event_type: &str) -> Vec<&'static str> {
    SERVICES
        .iter()
        .filter(|s| s.consumes.contains(&context) && s.reacts_to.contains(&event_type))
        .map(|s| s.name)
        .collect()
}

/// The services whose consumer reads the topic of `context`.
pub fn consumers_of(context: &str) -> Vec<&'static str> {
    SERVICES
        .iter()
        .filter(|s| s.consumes.contains(&context))
        .map(|s| s.name)
        .collect()
}

/// The producing contexts, in the registry's order.
pub fn producers() -> Vec<&'static str> {
    let catalog = shared_domain::contracts::catalog::catalog();
    SERVICES
        .iter()
        .map(|s| s.name)
        .filter(|name| catalog.iter().any(|e| e.context == *name))
        .collect()
}
