//! Ops see one registration as one trace: the request through the gateway, the events it
//! published, the consumers in other services that continued it, and the mail sent through
//! SES at its end. The journeys' fleet exports its spans over OTLP/HTTP to
//! `JOURNEY_OTLP`, where this test listens as the collector.

use std::time::Duration;

use fleet_tests::otlp::{kind, OtlpReceiver, ReceivedSpan};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::gateway::{new_attendee, Caller, Fleet};
use crate::mailbox::Mailbox;

/// The chain from the mail's SES span up to the first span the fleet made, root first.
fn chain_to(spans: &[ReceivedSpan], leaf: &ReceivedSpan) -> Vec<ReceivedSpan> {
    let mut chain = vec![leaf.clone()];
    while let Some(parent) = spans
        .iter()
        .find(|s| s.span_id == chain.last().unwrap().parent_span_id)
    {
        chain.push(parent.clone());
    }
    chain.reverse();
    chain
}

#[tokio::test]
async fn a_registration_is_one_trace_from_the_gateway_through_the_bus_to_its_mail() {
    let collector = OtlpReceiver::listen(
        &std::env::var("JOURNEY_OTLP").expect("JOURNEY_OTLP: the fleet's OTLP collector address"),
    )
    .await;
    let fleet = Fleet::from_env();
    let public = Caller::anonymous(&fleet, &Default::default());
    let demo = crate::demo::demo_event(&public).await;
    let (email, caller) = new_attendee(&public, "trace", "Trace").await;

    // The caller's own span: the browser or integration that sent the request.
    let trace_id = Uuid::new_v4().simple().to_string();
    let caller_span = Uuid::new_v4().simple().to_string()[..16].to_owned();
    caller
        .send(
            Method::POST,
            "/api/v1/registrations",
            Some(&json!({"eventId": demo["id"]})),
            &[("traceparent", &format!("00-{trace_id}-{caller_span}-01"))],
        )
        .await
        .expect(StatusCode::CREATED);
    let mails = Mailbox::at(&fleet.ses);
    fleet_tests::eventually(
        Duration::from_secs(60),
        "the status mail is sent",
        || async { (!mails.of(&email).await.is_empty()).then_some(()) },
    )
    .await;

    let chain = fleet_tests::eventually(
        Duration::from_secs(60),
        "the trace reaches from the request to the mail",
        || async {
            let spans = collector.spans_of(&trace_id);
            let mail = spans
                .iter()
                .find(|s| s.service == "notifications" && s.name == "SESv2 SendEmail")?;
            let chain = chain_to(&spans, mail);
            (chain[0].parent_span_id == caller_span).then_some(chain)
        },
    )
    .await;
    let hops: Vec<(&str, i64)> = chain
        .iter()
        .filter(|s| s.kind != kind::INTERNAL)
        .map(|s| (s.service.as_str(), s.kind))
        .collect();
    assert_eq!(
        hops,
        [
            ("attendees", kind::SERVER),
            ("attendees", kind::PRODUCER),
            ("events", kind::CONSUMER),
            ("events", kind::PRODUCER),
            ("attendees", kind::CONSUMER),
            ("attendees", kind::PRODUCER),
            ("notifications", kind::CONSUMER),
            ("notifications", kind::CLIENT),
        ],
        "{chain:#?}"
    );
    assert_eq!(chain[0].name, "POST /api/v1/registrations");
    assert_eq!(chain[1].name, "publish attendees.registration.requested.v1");
    assert_eq!(chain[2].name, "process attendees.registration.requested.v1");
}
