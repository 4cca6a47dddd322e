//! Mail as the fleet's SES endpoint received it, read back the way a recipient would find
//! it: by address, with its subject, text and the links in it.

use std::time::Duration;

use fleet_tests::mail::SentMail;
use serde::Deserialize;

#[derive(Deserialize)]
struct Store {
    emails: Vec<SentMail>,
}

/// The inbox of every address of one journey.
pub struct Mailbox {
    store: String,
}

impl Mailbox {
    pub fn at(ses: &str) -> Self {
        Mailbox {
            store: format!("{ses}/store"),
        }
    }

    /// Every mail sent to `address` so far, oldest first.
    pub async fn of(&self, address: &str) -> Vec<SentMail> {
        let store: Store = reqwest::get(&self.store)
            .await
            .expect("the SES endpoint answers")
            .json()
            .await
            .expect("the store is JSON");
        store
            .emails
            .into_iter()
            .filter(|m| {
                m.destination
                    .to
                    .iter()
                    .any(|to| to.eq_ignore_ascii_case(address))
            })
            .collect()
    }

    /// Waits for the mail to `address` whose subject starts with `subject`; returns it.
    pub async fn wait_for(&self, address: &str, subject: &str) -> SentMail {
        fleet_tests::eventually(
            Duration::from_secs(60),
            &format!("a mail \"{subject}…\" reaches {address}"),
            || async {
                self.of(address)
                    .await
                    .into_iter()
                    .find(|m| m.subject.starts_with(subject))
            },
        )
        .await
    }
}

/// The first link in `mail`'s text that contains `part`.
pub fn link_in(mail: &SentMail, part: &str) -> String {
    regex::Regex::new(r"https?://[^\s<>]+")
        .unwrap()
        .find_iter(mail.text())
        .map(|m| m.as_str().trim_end_matches(['.', ',', ')']).to_owned())
        .find(|link| link.contains(part))
        .unwrap_or_else(|| panic!("a link with {part} in: {}", mail.text()))
}
