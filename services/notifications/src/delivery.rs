//! Sending queued mail through SES v2. One mail per transaction: the row is claimed under
//! `for update skip locked`, sent, and its outcome (SES message id, or the error and the
//! next attempt) written before the lock is released, so two senders never send the same
//! row and a crash before the commit leaves it pending. Callers run each delivery in a
//! task of its own so that stopping the service never interrupts a mail between SES and
//! the record of its outcome.

use aws_sdk_sesv2::config::timeout::TimeoutConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{
    Body, Content, Destination, EmailContent, Message, MessageHeader, MessageTag,
};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use tracing::Instrument;

use crate::metrics::DELIVERIES;
use crate::settings::MailSettings;
use crate::store::{directory, log};

/// The SES v2 client and the sender address.
#[derive(Clone)]
pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

/// A mail ready to hand to SES.
pub struct OutgoingMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub html_body: &'a str,
    pub text_body: &'a str,
    /// Tagged on the message (and named in its `X-Notification-Id` header), so SES events
    /// and a receiver can tell the logged mail it is: one sent again after a crash between
    /// SES and the record of the send (delivery is at least once) carries the same id.
    pub notification_id: uuid::Uuid,
}

impl Mailer {
    /// A client of `settings.ses_endpoint` with static local credentials, or of AWS with the
    /// credentials the environment provides.
    pub async fn new(settings: &MailSettings) -> Self {
        let region = Region::new(settings.ses_region.clone());
        let timeouts = TimeoutConfig::builder()
            .operation_timeout(settings.send_timeout)
            .build();
        let config = match &settings.ses_endpoint {
            Some(endpoint) => aws_sdk_sesv2::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(region)
                .endpoint_url(endpoint)
                .credentials_provider(Credentials::new("local", "local", None, None, "static"))
                .timeout_config(timeouts)
                .build(),
            None => {
                let shared = aws_config::defaults(BehaviorVersion::latest())
                    .region(region)
                    .load()
                    .await;
                aws_sdk_sesv2::config::Builder::from(&shared)
                    .timeout_config(timeouts)
                    .build()
            }
        };
        Self {
            client: aws_sdk_sesv2::Client::from_conf(config),
            from: settings.mail_from.clone(),
        }
    }

    /// Sends one mail; the SES message id, or the error as text.
    pub async fn send(&self, mail: &OutgoingMail<'_>) -> Result<String, String> {
        let content = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| e.to_string())
        };
        let header = MessageHeader::builder()
            .name("X-Notification-Id")
            .value(mail.notification_id.to_string())
            .build()
            .map_err(|e| e.to_string())?;
        let message = Message::builder()
            .subject(content(mail.subject)?)
            .headers(header)
            .body(
                Body::builder()
                    .html(content(mail.html_body)?)
                    .text(content(mail.text_body)?)
                    .build(),
            )
            .build();
        let tag = MessageTag::builder()
            .name("notificationId")
            .value(mail.notification_id.to_string())
            .build()
            .map_err(|e| e.to_string())?;
        let output = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .email_tags(tag)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        output
            .message_id
            .ok_or_else(|| "SES answered without a message id".to_owned())
    }
}

/// The wait before retry number `attempt` (1-based): 10 s doubling, at most an hour.
pub fn backoff(attempt: i32) -> Duration {
    let seconds = 10i64 << attempt.clamp(1, 10).saturating_sub(1);
    Duration::seconds(seconds.min(3600))
}

/// Sends the next due mail, if any; `true` when there was one.
pub async fn deliver_next(
    pool: PgPool,
    mailer: Mailer,
    now: DateTime<Utc>,
    max_attempts: i32,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let Some(row) = log::claim_due(&mut tx, now).await? else {
        return Ok(false);
    };
    let Some(to) = row.recipient_email.clone() else {
        log::mark_suppressed(&mut tx, row.id, "no address", now).await?;
        tx.commit().await?;
        return Ok(true);
    };
    if let Some(reason) = directory::suppression_of(&mut tx, &to).await? {
        let why = format!("the address is suppressed after a {reason}");
        log::mark_suppressed(&mut tx, row.id, &why, now).await?;
        tx.commit().await?;
        DELIVERIES.with_label_values(&["suppressed"]).inc();
        return Ok(true);
    }
    let span = tracing::info_span!(
        "ses",
        otel.name = "SESv2 SendEmail",
        otel.kind = "client",
        rpc.system = "aws-api",
        rpc.service = "SESv2",
        rpc.method = "SendEmail",
        notification_id = %row.id,
    );
    event_bus::trace::continue_from(&span, row.traceparent.as_deref());
    let outcome = mailer
        .send(&OutgoingMail {
            to: &to,
            subject: &row.subject,
            html_body: &row.html_body,
            text_body: &row.text_body,
            notification_id: row.id,
        })
        .instrument(span)
        .await;
    let counted = match outcome {
        Ok(message_id) => {
            log::mark_sent(&mut tx, row.id, &message_id, now).await?;
            "sent"
        }
        Err(error) => {
            let attempt = row.attempts + 1;
            let retry_at = (attempt < max_attempts).then(|| now + backoff(attempt));
            tracing::warn!(notification = %row.id, attempt, %error, "sending failed");
            log::mark_attempt_failed(&mut tx, row.id, &error, retry_at, now).await?;
            if retry_at.is_some() {
                "retried"
            } else {
                "failed"
            }
        }
    };
    tx.commit().await?;
    DELIVERIES.with_label_values(&[counted]).inc();
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(10));
        assert_eq!(backoff(2), Duration::seconds(20));
        assert_eq!(backoff(4), Duration::seconds(80));
        assert_eq!(backoff(12), Duration::seconds(3600));
    }
}
