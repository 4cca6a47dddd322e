//! Secrets kept out of answers: the tokens of self-service links (`token=…` in a text, any
//! field named like `…token` or `…token_hash` in JSON) are replaced by `[redacted]`, so an
//! operator reading a log or a dead letter cannot act as the person the link was for, and
//! an export shows no digest of a link.

use serde_json::Value;

const REDACTED: &str = "[redacted]";

/// `text` with the value of every `token=` replaced.
pub fn text(text: &str) -> String {
    const MARK: &str = "token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || "&\"'<>".contains(c))
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `value` with every token field and every `token=` in its texts redacted.
pub fn json(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(text(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, v)| {
                    let key_lower = key.to_ascii_lowercase();
                    if key_lower.ends_with("token") || key_lower.ends_with("token_hash") {
                        (key, Value::String(REDACTED.into()))
                    } else {
                        (key, json(v))
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// A JSON document kept as text (a dead letter's payload), redacted; text that is no JSON
/// has its `token=` values redacted.
pub fn payload(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => json(value).to_string(),
        Err(_) => text(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json as doc;

    #[test]
    fn link_tokens_in_texts_are_hidden_and_the_rest_is_kept() {
        assert_eq!(
            text("Open https://x/confirm?token=abc123&x=1 now"),
            "Open https://x/confirm?token=[redacted]&x=1 now"
        );
        assert_eq!(
            text("Answer at https://b.ch/i/1?token=abc.def&x=1 or reply.\nconfirm?token=zz"),
            "Answer at https://b.ch/i/1?token=[redacted]&x=1 or reply.\nconfirm?token=[redacted]"
        );
        assert_eq!(text("no secrets here"), "no secrets here");
        assert_eq!(text("token="), "token=");
    }

    #[test]
    fn token_fields_are_hidden_at_any_depth() {
        let event = doc!({"data": {"attendeeId": "a-1", "confirmationToken": "s3cret",
            "unsubscribeToken": "s3cret2", "links": ["?token=s3cret3"],
            "rows": [{"confirmation_token_hash": "s3cret4"}]}});
        let redacted = json(event).to_string();
        assert!(!redacted.contains("s3cret"), "{redacted}");
        assert!(redacted.contains("a-1"));
    }

    #[test]
    fn a_payload_that_is_no_json_still_loses_its_tokens() {
        assert_eq!(payload("token=abc"), "token=[redacted]");
    }
}
