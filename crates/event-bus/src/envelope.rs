//! The CloudEvents 1.0 envelope in Kafka binary mode: metadata travels in `ce_*` headers,
//! the value is the JSON payload, the key is the aggregate id.

use chrono::{DateTime, Utc};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use serde::{Deserialize, Serialize};
use shared_domain::IntegrationEvent;
use uuid::Uuid;

/// Where an event came from: the request or message that caused it. Propagated so a saga can
/// be followed across services (`ce_correlationid`, `ce_causationid`, W3C `traceparent`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventContext {
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub traceparent: Option<String>,
}

impl EventContext {
    /// The context for events caused by `envelope`: same correlation, caused by its id.
    pub fn caused_by(envelope: &Envelope) -> Self {
        Self {
            correlation_id: Some(
                envelope
                    .correlation_id
                    .clone()
                    .unwrap_or_else(|| envelope.id.to_string()),
            ),
            causation_id: Some(envelope.id.to_string()),
            traceparent: envelope.traceparent.clone(),
        }
    }
}

/// One event as it travels on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// `ce_id`: the dedup key of every consumer's inbox.
    pub id: Uuid,
    /// `ce_type`, e.g. `companies.company.created.v1`.
    pub event_type: String,
    /// `ce_source`, e.g. `/services/companies`.
    pub source: String,
    /// `ce_time`.
    pub time: DateTime<Utc>,
    /// `ce_subject`: the aggregate id, also the Kafka key.
    pub subject: String,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub traceparent: Option<String>,
    /// The JSON value of the message.
    pub payload: serde_json::Value,
}

/// A message that is not a well-formed envelope; it goes straight to the dead letters.
#[derive(Debug, thiserror::Error)]
#[error("malformed message: {0}")]
pub struct MalformedMessage(pub String);

const SPEC_VERSION: &str = "1.0";

impl Envelope {
    /// Wraps a payload for publication.
    pub fn wrap<E: IntegrationEvent>(
        event: &E,
        context: &EventContext,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: Uuid::now_v7(),
            event_type: E::EVENT_TYPE.to_owned(),
            source: format!("/services/{}", E::CONTEXT),
            time: Utc::now(),
            subject: event.aggregate_id().to_string(),
            correlation_id: context.correlation_id.clone(),
            causation_id: context.causation_id.clone(),
            traceparent: context.traceparent.clone(),
            payload: serde_json::to_value(event)?,
        })
    }

    /// Decodes the payload as `E`; unknown fields are ignored by design of the contracts. A
    /// payload that does not fit is a reaction failure (retried, then dead-lettered).
    pub fn decode<E: IntegrationEvent>(&self) -> Result<E, crate::inbox::ReactionError> {
        serde_json::from_value(self.payload.clone()).map_err(|e| {
            crate::inbox::ReactionError::Payload {
                event_type: self.event_type.clone(),
                message: e.to_string(),
            }
        })
    }

    /// The Kafka headers of the binary content mode.
    pub fn headers(&self) -> OwnedHeaders {
        let id = self.id.to_string();
        let time = self.time.to_rfc3339();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("ce_id", &id),
            ("ce_type", &self.event_type),
            ("ce_source", &self.source),
            ("ce_time", &time),
            ("ce_subject", &self.subject),
            ("ce_specversion", SPEC_VERSION),
            ("content-type", "application/json"),
        ];
        if let Some(v) = &self.correlation_id {
            pairs.push(("ce_correlationid", v));
        }
        if let Some(v) = &self.causation_id {
            pairs.push(("ce_causationid", v));
        }
        if let Some(v) = &self.traceparent {
            pairs.push(("traceparent", v));
        }
        pairs
            .into_iter()
            .fold(OwnedHeaders::new(), |headers, (key, value)| {
                headers.insert(Header {
                    key,
                    value: Some(value.as_bytes()),
                })
            })
    }

    /// Reads an envelope back from a consumed message.
    pub fn from_message<M: Message>(message: &M) -> Result<Self, MalformedMessage> {
        let mut header = std::collections::HashMap::new();
        if let Some(headers) = message.headers() {
            for h in headers.iter() {
                if let Some(value) = h.value {
                    let text = std::str::from_utf8(value)
                        .map_err(|_| MalformedMessage(format!("header {} is not UTF-8", h.key)))?;
                    // Header values end up in text columns (inbox, outbox), which hold no NUL.
                    if text.contains('\0') {
                        return Err(MalformedMessage(format!("header {} holds a NUL", h.key)));
                    }
                    header.insert(h.key.to_owned(), text.to_owned());
                }
            }
        }
        let required = |key: &str| {
            header
                .get(key)
                .cloned()
                .ok_or_else(|| MalformedMessage(format!("missing header {key}")))
        };
        let id = Uuid::parse_str(&required("ce_id")?)
            .map_err(|_| MalformedMessage("ce_id is not a UUID".into()))?;
        let time = DateTime::parse_from_rfc3339(&required("ce_time")?)
            .map_err(|_| MalformedMessage("ce_time is not RFC 3339".into()))?
            .with_timezone(&Utc);
        let payload = serde_json::from_slice(message.payload().unwrap_or_default())
            .map_err(|e| MalformedMessage(format!("value is not JSON: {e}")))?;
        Ok(Self {
            id,
            event_type: required("ce_type")?,
            source: required("ce_source")?,
            time,
            subject: required("ce_subject")?,
            correlation_id: header.get("ce_correlationid").cloned(),
            causation_id: header.get("ce_causationid").cloned(),
            traceparent: header.get("traceparent").cloned(),
            payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::OwnedMessage;
    use rdkafka::Timestamp;
    use shared_domain::contracts::companies::CompanyArchived;

    #[test]
    fn envelope_survives_the_kafka_binary_mode() {
        let event = CompanyArchived {
            company_id: Uuid::now_v7(),
            archived_at: Utc::now(),
        };
        let context = EventContext {
            correlation_id: Some("c-1".into()),
            causation_id: None,
            traceparent: None,
        };
        let envelope = Envelope::wrap(&event, &context).unwrap();
        let message = OwnedMessage::new(
            Some(serde_json::to_vec(&envelope.payload).unwrap()),
            Some(envelope.subject.as_bytes().to_vec()),
            "t".into(),
            Timestamp::NotAvailable,
            0,
            0,
            Some(envelope.headers()),
        );
        let read = Envelope::from_message(&message).unwrap();
        assert_eq!(
            read.time.timestamp_micros(),
            envelope.time.timestamp_micros()
        );
        assert_eq!(read.event_type, "companies.company.archived.v1");
        assert_eq!(read.source, "/services/companies");
        assert_eq!(read.decode::<CompanyArchived>().unwrap(), event);
    }

    #[test]
    fn message_without_headers_is_malformed() {
        let message = OwnedMessage::new(
            Some(b"{}".to_vec()),
            None,
            "t".into(),
            Timestamp::NotAvailable,
            0,
            0,
            None,
        );
        assert!(Envelope::from_message(&message)
            .unwrap_err()
            .0
            .contains("ce_id"));
    }

    #[test]
    fn a_header_holding_a_nul_is_malformed() {
        let headers = OwnedHeaders::new().insert(Header {
            key: "ce_id",
            value: Some(&b"0190\0"[..]),
        });
        let message = OwnedMessage::new(
            Some(b"{}".to_vec()),
            None,
            "t".into(),
            Timestamp::NotAvailable,
            0,
            0,
            Some(headers),
        );
        assert!(Envelope::from_message(&message)
            .unwrap_err()
            .0
            .contains("NUL"));
    }
}
