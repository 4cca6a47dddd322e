//! Outgoing webhooks of partner integrations: which events a partner may subscribe to,
//! which addresses may receive them (no requests into our own network), the signature of
//! the Standard Webhooks spec, the retry schedule and when a subscription is disabled.

use std::net::IpAddr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;
use shared_domain::validation::FieldError;
use url::Url;

/// The events a partner's integration can be told of, each only where it concerns that
/// partner: its employees' registrations, its accepted topic suggestions, its meeting
/// invitations.
pub const EVENT_TYPES: [&str; 3] = [
    "attendees.registration.status_changed.v1",
    "partners.topic_suggestion.accepted.v1",
    "partners.meeting.invited.v1",
];

/// Deliveries failing in a row (each after all its retries) that disable a subscription.
pub const DISABLE_AFTER_FAILED_DELIVERIES: i32 = 3;

/// Where deliveries may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPolicy {
    /// Production: https to public addresses only.
    PublicHttps,
    /// A local fleet: http and loopback or private addresses too (a receiver on the same
    /// machine).
    Local,
}

/// A validated subscription request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription {
    pub url: Url,
    pub event_types: Vec<String>,
}

impl NewSubscription {
    /// Checks the address and the event types, naming each bad field.
    pub fn parse(
        url: &str,
        event_types: &[String],
        policy: TargetPolicy,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let url = match check_target(url, policy) {
            Ok(url) => Some(url),
            Err(message) => {
                errors.push(FieldError::new("url", message));
                None
            }
        };
        if event_types.is_empty() {
            errors.push(FieldError::new(
                "eventTypes",
                format!("name at least one of {}", EVENT_TYPES.join(", ")),
            ));
        }
        for (i, event_type) in event_types.iter().enumerate() {
            if !EVENT_TYPES.contains(&event_type.as_str()) {
                errors.push(FieldError::new(
                    format!("eventTypes[{i}]"),
                    format!("one of {}", EVENT_TYPES.join(", ")),
                ));
            }
        }
        let mut unique = event_types.to_vec();
        unique.sort();
        unique.dedup();
        match (url, errors.is_empty()) {
            (Some(url), true) => Ok(Self {
                url,
                event_types: unique,
            }),
            _ => Err(errors),
        }
    }
}

/// The address, if deliveries may go there: https (http too under `Local`), no user
/// info, and a host that is not an address of our own network.
pub fn check_target(raw: &str, policy: TargetPolicy) -> Result<Url, String> {
    if raw.len() > 2000 {
        return Err("at most 2000 characters".into());
    }
    let url = Url::parse(raw).map_err(|e| format!("not an absolute URL: {e}"))?;
    match (url.scheme(), policy) {
        ("https", _) | ("http", TargetPolicy::Local) => {}
        _ => return Err("must be an https URL".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    let host = url.host_str().ok_or("must name a host")?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(address) = literal.parse::<IpAddr>() {
        if !may_receive(address, policy) {
            return Err("must not be a loopback, private or link-local address".into());
        }
    } else if policy == TargetPolicy::PublicHttps
        && (host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local"))
    {
        return Err("must be a public host".into());
    }
    Ok(url)
}

/// Whether a delivery may connect to `address` (checked again for every resolved address
/// at delivery time, so a name that later points inward is refused too).
pub fn may_receive(address: IpAddr, policy: TargetPolicy) -> bool {
    if policy == TargetPolicy::Local {
        return true;
    }
    let address = match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80) // link-local
        }
    }
}

/// A new signing secret (`whsec_` and 24 random bytes, base64), shown to the partner once.
pub fn new_secret(random: [u8; 24]) -> String {
    format!("whsec_{}", STANDARD.encode(random))
}

/// `webhook-signature` of the Standard Webhooks spec: `v1,` and the base64 HMAC-SHA256 of
/// `<webhook-id>.<webhook-timestamp>.<body>` under the secret's key.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let mut context = hmac::Context::with_key(&key);
    context.update(format!("{id}.{timestamp}.").as_bytes());
    context.update(body);
    Some(format!("v1,{}", STANDARD.encode(context.sign().as_ref())))
}

/// When a delivery that failed its `attempts`-th time is tried again: `schedule[attempts -
/// 1]` later, or never (it has failed for good) when the schedule is used up.
pub fn retry_after(attempts: u32, schedule: &[Duration]) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    schedule.get(index).copied()
}

/// The production schedule: after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h — the last
/// attempt a little more than 27 hours after the first.
pub fn default_schedule() -> Vec<Duration> {
    [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]
        .into_iter()
        .map(Duration::from_secs)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<NewSubscription, Vec<FieldError>> {
        NewSubscription::parse(
            url,
            &["partners.meeting.invited.v1".to_owned()],
            TargetPolicy::PublicHttps,
        )
    }

    #[test]
    fn production_sends_only_to_public_https_addresses() {
        assert!(parse("https://hooks.example.ch/batbern").is_ok());
        for refused in [
            "http://hooks.example.ch/batbern",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fe80::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://localhost/x",
            "https://user:secret@hooks.example.ch/x",
            "ftp://hooks.example.ch/x",
            "hooks.example.ch",
        ] {
            let errors = parse(refused).expect_err(refused);
            assert_eq!(errors[0].field, "url", "{refused}");
        }
    }

    #[test]
    fn a_local_fleet_may_send_to_its_own_machine() {
        let local = NewSubscription::parse(
            "http://127.0.0.1:9999/hook",
            &["partners.meeting.invited.v1".to_owned()],
            TargetPolicy::Local,
        );
        assert!(local.is_ok());
    }

    #[test]
    fn unknown_event_types_are_named() {
        let errors = NewSubscription::parse(
            "https://hooks.example.ch",
            &[
                "partners.meeting.invited.v1".into(),
                "events.seat.reserved.v1".into(),
            ],
            TargetPolicy::PublicHttps,
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "eventTypes[1]");
        let none =
            NewSubscription::parse("https://hooks.example.ch", &[], TargetPolicy::PublicHttps);
        assert_eq!(none.unwrap_err()[0].field, "eventTypes");
    }

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn retries_follow_the_schedule_then_stop() {
        let schedule = default_schedule();
        assert_eq!(retry_after(1, &schedule), Some(Duration::from_secs(5)));
        assert_eq!(retry_after(7, &schedule), Some(Duration::from_secs(36_000)));
        assert_eq!(retry_after(8, &schedule), None);
        let total: u64 = schedule.iter().map(Duration::as_secs).sum();
        assert!(total > 24 * 3600, "retried for more than 24 hours");
    }
}
