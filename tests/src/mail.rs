//! Mail as the local SES v2 endpoint received it (`GET /store`), for tests that check what
//! reached an inbox. Tests share one endpoint, so each reads only its own addresses.

use std::time::Duration;

use serde::Deserialize;

/// The local SES endpoint (`SES_ENDPOINT`, as `scripts/test` exports it).
pub fn ses_endpoint() -> String {
    std::env::var("SES_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:18005".into())
}

/// One mail SES accepted.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMail {
    pub message_id: String,
    pub from: String,
    pub destination: Destination,
    pub subject: String,
    pub body: MailBody,
    #[serde(default)]
    pub headers: Option<Vec<MailHeader>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Destination {
    pub to: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailBody {
    pub html: Option<String>,
    pub text: Option<String>,
}

impl SentMail {
    pub fn text(&self) -> &str {
        self.body.text.as_deref().unwrap_or_default()
    }

    pub fn html(&self) -> &str {
        self.body.html.as_deref().unwrap_or_default()
    }

    /// The logged mail this is (its `X-Notification-Id`), else its own message id.
    pub fn notification_id(&self) -> &str {
        self.headers
            .iter()
            .flatten()
            .find(|h| h.name.eq_ignore_ascii_case("x-notification-id"))
            .map_or(&self.message_id, |h| &h.value)
    }
}

#[derive(Deserialize)]
struct Store {
    emails: Vec<SentMail>,
}

/// Every mail the endpoint accepted so far (all tests'), oldest first.
pub async fn all_mails() -> Vec<SentMail> {
    let store: Store = reqwest::get(format!("{}/store", ses_endpoint()))
        .await
        .expect("the local SES endpoint answers")
        .json()
        .await
        .expect("the store is JSON");
    store.emails
}

/// Every mail sent to `address` so far, oldest first.
pub async fn mails_to(address: &str) -> Vec<SentMail> {
    all_mails()
        .await
        .into_iter()
        .filter(|m| {
            m.destination
                .to
                .iter()
                .any(|to| to.eq_ignore_ascii_case(address))
        })
        .collect()
}

/// Waits until at least `count` mails reached `address`; returns all of them.
pub async fn wait_for_mails(address: &str, count: usize) -> Vec<SentMail> {
    crate::eventually(
        Duration::from_secs(60),
        &format!("{count} mail(s) reach {address}"),
        || async {
            let mails = mails_to(address).await;
            (mails.len() >= count).then_some(mails)
        },
    )
    .await
}
