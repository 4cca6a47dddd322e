//! Turning something that happened into a logged notification: render the active template
//! of the type in the recipient's language, then let the address's suppression and the
//! person's preferences decide whether it is queued now, later, for a digest, or not at
//! all. Runs inside the caller's transaction (a reaction's inbox transaction or a
//! scheduler step), so a notification is logged exactly when its cause is applied.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::schedule::{dispatch, Dispatch};
use crate::domain::{enum_name, DeliveryStatus, TemplateType};
use crate::store::directory::{self, RecipientRow};
use crate::store::log::{self, NewNotification};
use crate::store::{preferences, templates};

/// A notification to compose: its type, the variables of its template (the recipient's
/// name is added here) and what caused it.
pub struct Notice {
    pub template_type: TemplateType,
    pub variables: Map<String, Value>,
    pub cause: Value,
}

/// Why a notification could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// No active template, or it does not render with the data: the cause must wait (and
    /// be replayed) until the template is fixed.
    #[error("{0}")]
    Template(String),
}

impl From<ComposeError> for event_bus::ReactionError {
    fn from(error: ComposeError) -> Self {
        match error {
            ComposeError::Database(e) => Self::Database(e),
            ComposeError::Template(message) => Self::Refused(message),
        }
    }
}

/// Logs `notice` for `recipient`; returns the log entry's id.
pub async fn notify(
    conn: &mut PgConnection,
    recipient: &RecipientRow,
    notice: Notice,
    now: DateTime<Utc>,
) -> Result<Uuid, ComposeError> {
    let type_name = enum_name(&notice.template_type);
    let language = recipient.language.to_string();
    let template = templates::fetch_active(conn, &type_name, &language)
        .await?
        .ok_or_else(|| {
            ComposeError::Template(format!("no active {type_name} template in {language}"))
        })?;
    let mut variables = notice.variables;
    variables.insert(
        "recipientName".into(),
        Value::String(recipient.display_name.clone()),
    );
    let variables = Value::Object(variables);
    let mail = template.text().render(&variables).map_err(|e| {
        ComposeError::Template(format!(
            "{type_name} template version {} in {language} does not render: {e}",
            template.version
        ))
    })?;
    let suppression = directory::suppression_of(conn, &recipient.email).await?;
    let decision = match suppression {
        Some(reason) => Dispatch::Suppress(if reason == "bounce" {
            "the address bounced"
        } else {
            "the address complained"
        }),
        None => {
            let preference = if notice.template_type.is_mandatory() {
                None
            } else {
                preferences::email_preference(conn, recipient.id, &type_name).await?
            };
            dispatch(
                notice.template_type,
                preference,
                recipient.optional_mail,
                now,
            )
        }
    };
    let (status, send_after, digest_frequency, error_message) = match decision {
        Dispatch::Send { at } => (DeliveryStatus::Pending, at, None, None),
        Dispatch::Hold(frequency) => (DeliveryStatus::Held, now, Some(frequency), None),
        Dispatch::Suppress(why) => (DeliveryStatus::Suppressed, now, None, Some(why.to_owned())),
    };
    let entry = NewNotification {
        user_id: recipient.id,
        recipient_email: Some(recipient.email.clone()),
        notification_type: type_name,
        template_id: Some(template.id),
        template_version: Some(template.version),
        language: Some(language),
        subject: mail.subject.chars().take(200).collect(),
        html_body: mail.html_body,
        text_body: mail.text_body,
        delivery_status: status,
        send_after,
        digest_frequency,
        error_message,
        metadata: serde_json::json!({ "cause": notice.cause, "variables": variables }),
    };
    Ok(log::insert_notification(conn, &entry, now).await?)
}
