//! `batbern-ops saga <correlationId>`: one saga's timeline across the fleet. Every service
//! answers what it recorded of the correlation id (`/ops/correlations/{id}`: outbox, inbox,
//! dead letters); merged in time order, the timeline shows each hop, and what is still
//! waiting shows where the saga stopped: an event not yet published, or not yet applied by
//! a service that reacts to its type.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{reactors_of, SERVICES};

/// Where a service answers, from the service registry (`deploy/services.toml`): the
/// `<SERVICE>_URL` environment variable, else its registry port (plus `FLEET_PORT_OFFSET`)
/// on 127.0.0.1.
pub fn service_url(service: &str) -> String {
    let variable = format!("{}_URL", service.to_uppercase());
    if let Ok(url) = std::env::var(variable) {
        return url.trim_end_matches('/').to_owned();
    }
    let offset: u16 = std::env::var("FLEET_PORT_OFFSET")
        .ok()
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    format!("http://127.0.0.1:{}", registry_port(service) + offset)
}

fn registry_port(service: &str) -> u16 {
    #[derive(Deserialize)]
    struct Registry {
        service: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        name: String,
        port: u16,
    }
    let registry: Registry =
        toml::from_str(include_str!("../../../deploy/services.toml")).expect("the registry");
    registry
        .service
        .iter()
        .find(|entry| entry.name == service)
        .map(|entry| entry.port)
        .unwrap_or_else(|| panic!("{service} is in deploy/services.toml"))
}

/// One step, as a service reported it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    #[serde(default)]
    pub service: String,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub aggregate_id: Option<String>,
    pub handler: Option<String>,
    pub detail: Option<String>,
}

/// The merged timeline of one correlation id.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub correlation_id: String,
    pub steps: Vec<Step>,
    /// What has not happened yet: where the saga stands.
    pub waiting: Vec<String>,
    /// Services that could not be asked (the timeline may miss their steps).
    pub unreachable: Vec<String>,
}

/// Asks every service with `token` (an organizer's) and merges the answers.
pub async fn timeline(correlation_id: &str, token: &str) -> Timeline {
    #[derive(Deserialize)]
    struct Answer {
        entries: Vec<Step>,
    }
    let client = reqwest::Client::new();
    let mut steps = Vec::new();
    let mut unreachable = Vec::new();
    for spec in SERVICES {
        let url = format!(
            "{}/ops/correlations/{}",
            service_url(spec.name),
            correlation_id
        );
        let answer = client.get(&url).bearer_auth(token).send().await;
        match answer {
            Ok(response) if response.status().is_success() => match response.json::<Answer>().await
            {
                Ok(answer) => steps.extend(answer.entries.into_iter().map(|step| Step {
                    service: spec.name.to_owned(),
                    ..step
                })),
                Err(error) => unreachable.push(format!("{}: {error}", spec.name)),
            },
            Ok(response) => unreachable.push(format!("{}: {}", spec.name, response.status())),
            Err(error) => unreachable.push(format!("{}: {error}", spec.name)),
        }
    }
    steps.sort_by_key(|step| (step.at, rank(&step.kind)));
    let waiting = waiting(&steps);
    Timeline {
        correlation_id: correlation_id.to_owned(),
        steps,
        waiting,
        unreachable,
    }
}

/// An event applied at an instant comes before those its transaction committed.
fn rank(kind: &str) -> u8 {
    match kind {
        "applied" => 0,
        "committed" => 1,
        "published" => 2,
        "dead_lettered" => 3,
        _ => 4,
    }
}

/// Committed events not yet published, and published ones a service that reacts to their
/// type has not applied (the others pass them by without an inbox row).
fn waiting(steps: &[Step]) -> Vec<String> {
    let done: BTreeSet<(&str, &str, Option<&str>)> = steps
        .iter()
        .filter_map(|s| {
            Some((
                s.kind.as_str(),
                s.event_id.as_deref()?,
                s.handler.as_deref(),
            ))
        })
        .collect();
    let mut waiting = Vec::new();
    for step in steps.iter().filter(|s| s.kind == "committed") {
        let (Some(id), Some(event_type)) = (step.event_id.as_deref(), step.event_type.as_deref())
        else {
            continue;
        };
        if !done.contains(&("published", id, None)) {
            waiting.push(format!(
                "{event_type} ({id}) is not yet published by {}",
                step.service
            ));
            continue;
        }
        for consumer in reactors_of(&step.service, event_type) {
            let applied = done.contains(&("applied", id, Some(consumer)));
            let parked = done.contains(&("dead_lettered", id, Some(consumer)));
            if parked && !done.contains(&("replayed", id, Some(consumer))) {
                waiting.push(format!(
                    "{event_type} ({id}) is parked in {consumer}'s dead letters"
                ));
            } else if !applied {
                waiting.push(format!(
                    "{event_type} ({id}) is not yet applied by {consumer}"
                ));
            }
        }
    }
    waiting
}

/// The timeline as lines of text.
pub fn render(timeline: &Timeline) -> String {
    let services: BTreeSet<&str> = timeline.steps.iter().map(|s| s.service.as_str()).collect();
    let mut text = format!(
        "saga {}: {} steps in {} services\n",
        timeline.correlation_id,
        timeline.steps.len(),
        services.len()
    );
    for step in &timeline.steps {
        let who = step
            .handler
            .as_deref()
            .filter(|h| *h != step.service)
            .map(|h| format!(" by {h}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "{}  {:<13}  {:<13}  {}  {}{}{}\n",
            step.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            step.service,
            step.kind,
            step.event_type.as_deref().unwrap_or("(malformed)"),
            step.event_id.as_deref().unwrap_or("-"),
            who,
            step.detail
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default()
        ));
    }
    if timeline.waiting.is_empty() {
        text.push_str(
            "nothing is waiting: every event was published and applied by its consumers\n",
        );
    } else {
        text.push_str("waiting:\n");
        for line in &timeline.waiting {
            text.push_str(&format!("  {line}\n"));
        }
    }
    for line in &timeline.unreachable {
        text.push_str(&format!("not asked: {line}\n"));
    }
    text
}
