//! The AsyncAPI 3.0 document of the bus: one channel per producing context
//! (`batbern.<context>.v1`), one message per event type with its CloudEvents headers, its
//! Kafka key and the JSON Schema of its payload, a `send` operation per producer and a
//! `receive` operation per consuming service.

use serde_json::{json, Map, Value};
use shared_domain::contracts::catalog::{catalog, EventDescription};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use crate::{consumers_of, producers, SERVICES};

const KAFKA_BINDING: &str = "0.5.0";

const DESCRIPTION: &str = "The integration events of the BATbern fleet. Each context \
publishes on its own topic `batbern.<context>.v1` from a transactional outbox (nothing \
committed is lost, nothing uncommitted is published); each service consumes with one \
consumer group through an idempotent inbox, so a redelivered message changes nothing, and passes \
the events it does not react to by. \
Messages use the CloudEvents 1.0 Kafka binding in binary mode: the attributes travel as \
`ce_*` headers, the value is the JSON payload. The key is the aggregate's id, so events of \
one aggregate arrive in order. A message a consumer cannot apply after its retries is \
parked (`/ops/dead-letters` of the service) and copied to `batbern.<service>.dlq`. \
Compatibility: an added optional field keeps a type's version; anything else is a new \
`v<N>` type published beside the old one until every consumer has moved; consumers ignore \
unknown fields, and enum values unknown to a consumer reach it as such instead of failing.";

/// The whole document.
pub fn document() -> Value {
    let events = catalog();
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    let mut schemas = Map::new();
    for context in producers() {
        let of_context: Vec<&EventDescription> =
            events.iter().filter(|e| e.context == context).collect();
        let mut channel_messages = Map::new();
        for event in &of_context {
            channel_messages.insert(
                event.name.clone(),
                json!({ "$ref": format!("#/components/messages/{}", event.name) }),
            );
            messages.insert(event.name.clone(), message(event));
            schemas.insert(event.name.clone(), schema_json(&event.schema));
            for (name, schema) in &event.referenced {
                schemas.insert(name.clone(), schema_json(schema));
            }
        }
        channels.insert(
            context.to_owned(),
            json!({
                "address": format!("batbern.{context}.v1"),
                "title": format!("{context} events"),
                "description": format!("Everything the {context} context announces, keyed by aggregate id."),
                "messages": channel_messages,
                "bindings": { "kafka": {
                    "topicConfiguration": { "cleanup.policy": ["delete"] },
                    "bindingVersion": KAFKA_BINDING
                }}
            }),
        );
        let message_refs: Vec<Value> = of_context
            .iter()
            .map(|e| json!({ "$ref": format!("#/channels/{context}/messages/{}", e.name) }))
            .collect();
        operations.insert(
            format!("{context}Publishes"),
            json!({
                "action": "send",
                "channel": { "$ref": format!("#/channels/{context}") },
                "title": format!("{context} publishes"),
                "summary": format!("The {context} service's outbox relay publishes its committed events."),
                "messages": message_refs,
            }),
        );
        for consumer in consumers_of(context) {
            let reacts_to = SERVICES
                .iter()
                .find(|s| s.name == consumer)
                .map_or(&[][..], |s| s.reacts_to);
            let message_refs: Vec<Value> = of_context
                .iter()
                .filter(|e| reacts_to.contains(&e.event_type))
                .map(|e| json!({ "$ref": format!("#/channels/{context}/messages/{}", e.name) }))
                .collect();
            operations.insert(
                format!("{consumer}Consumes{}", capitalized(context)),
                json!({
                    "action": "receive",
                    "channel": { "$ref": format!("#/channels/{context}") },
                    "title": format!("{consumer} consumes {context} events"),
                    "summary": format!("The {consumer} service's consumer group `batbern.{consumer}.v1-consumer` applies the {context} events it reacts to (these messages) and passes the others by."),
                    "bindings": { "kafka": {
                        "groupId": { "type": "string", "const": format!("batbern.{consumer}.v1-consumer") },
                        "bindingVersion": KAFKA_BINDING
                    }},
                    "messages": message_refs,
                }),
            );
        }
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "BATbern event bus",
            "version": "1.0.0",
            "description": DESCRIPTION,
            "license": { "name": "UNLICENSED" },
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The local fleet's broker (scripts/fleet)",
            },
            "production": {
                "host": "kafka-bootstrap.kafka.svc.cluster.local:9092",
                "protocol": "kafka",
                "description": "Apache Kafka in the cluster (deploy/k8s/config.yaml)",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
        },
    })
}

fn message(event: &EventDescription) -> Value {
    json!({
        "name": event.event_type,
        "title": event.name,
        "summary": format!("`{}` on the {} aggregate", event.event_type, event.aggregate_type),
        "contentType": "application/json",
        "headers": headers(event),
        "payload": { "$ref": format!("#/components/schemas/{}", event.name) },
        "bindings": { "kafka": {
            "key": {
                "type": "string",
                "format": "uuid",
                "description": format!("The {} id (the CloudEvents subject): per-aggregate order", event.aggregate_type),
            },
            "bindingVersion": KAFKA_BINDING
        }},
    })
}

/// The CloudEvents attributes of the binary Kafka binding, as message headers.
fn headers(event: &EventDescription) -> Value {
    let text = |description: &str| json!({ "type": "string", "description": description });
    json!({
        "type": "object",
        "required": ["ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "ce_specversion", "content-type"],
        "properties": {
            "ce_id": { "type": "string", "format": "uuid", "description": "The event id (UUIDv7): consumers deduplicate by it" },
            "ce_type": { "type": "string", "const": event.event_type },
            "ce_source": { "type": "string", "const": format!("/services/{}", event.context) },
            "ce_time": { "type": "string", "format": "date-time", "description": "When the change was committed (RFC 3339)" },
            "ce_subject": { "type": "string", "format": "uuid", "description": format!("The {} id; also the Kafka key", event.aggregate_type) },
            "ce_specversion": { "type": "string", "const": "1.0" },
            "content-type": { "type": "string", "const": "application/json" },
            "ce_correlationid": text("The request id of the API call that started the saga (`X-Request-Id`)"),
            "ce_causationid": text("The id of the event that caused this one, when a reaction emitted it"),
            "traceparent": text("W3C trace context of the span that published the event, a child of the request or reaction that wrote it"),
        }
    })
}

fn schema_json(schema: &RefOr<Schema>) -> Value {
    serde_json::to_value(schema).expect("a schema is JSON")
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
