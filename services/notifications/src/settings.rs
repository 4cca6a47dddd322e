//! The notifications service's own configuration, beside the shared `ServiceConfig`.

use std::time::Duration;

use service_kit::config::ConfigError;

/// Development token of the SES event webhook (production must set its own).
pub const DEV_WEBHOOK_TOKEN: &str = "dev-ses-webhook-token";

/// How mail is sent and how often the scheduler looks.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The SES endpoint; none: AWS's, with credentials from the environment.
    pub ses_endpoint: Option<String>,
    pub ses_region: String,
    /// The From address of every mail.
    pub mail_from: String,
    /// Shared secret the SES event webhook must present (`?token=`).
    pub webhook_token: String,
    /// How often the scheduler delivers, escalates and assembles digests.
    pub poll_interval: Duration,
    /// Sending attempts before a mail is `failed`.
    pub max_attempts: i32,
    /// How long one send may take, the SDK's own retries included: an endpoint that
    /// accepts and never answers fails the attempt instead of holding delivery.
    pub send_timeout: Duration,
}

impl MailSettings {
    /// Reads `SES_ENDPOINT`, `SES_REGION`, `MAIL_FROM`, `SES_WEBHOOK_TOKEN`,
    /// `NOTIFICATIONS_POLL_MS`, `MAIL_MAX_ATTEMPTS` and `SES_TIMEOUT_SECS` through
    /// `lookup`; `production` requires the webhook token.
    pub fn from_lookup(
        production: bool,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            get(name).map_or(Ok(default), |raw| {
                raw.trim().parse().map_err(|_| ConfigError::Invalid {
                    name,
                    value: raw,
                    reason: "expected a whole number".into(),
                })
            })
        };
        let webhook_token = match get("SES_WEBHOOK_TOKEN") {
            Some(token) => token,
            None if !production => DEV_WEBHOOK_TOKEN.to_owned(),
            None => return Err(ConfigError::Missing("SES_WEBHOOK_TOKEN")),
        };
        Ok(Self {
            ses_endpoint: get("SES_ENDPOINT"),
            ses_region: get("SES_REGION").unwrap_or_else(|| "eu-central-1".into()),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "BATbern <noreply@batbern.ch>".into()),
            webhook_token,
            poll_interval: Duration::from_millis(number("NOTIFICATIONS_POLL_MS", 1000)?),
            max_attempts: number("MAIL_MAX_ATTEMPTS", 5)? as i32,
            send_timeout: Duration::from_secs(number("SES_TIMEOUT_SECS", 10)?.max(1)),
        })
    }
}
