//! JSON merge-patch fields: an absent field leaves a value unchanged, `null` clears it.
//! Use with `#[serde(default, deserialize_with = "service_kit::patch::field")]` on an
//! `Option<Option<T>>`.

use serde::{Deserialize, Deserializer};

/// Deserializes a present field (even `null`) into `Some(..)`; absent stays `None` via `default`.
pub fn field<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Applies a merge-patch field to `current`.
pub fn apply<T>(current: Option<T>, patch: Option<Option<T>>) -> Option<T> {
    match patch {
        None => current,
        Some(new) => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "field")]
        website: Option<Option<String>>,
    }

    #[test]
    fn absent_keeps_null_clears_value_sets() {
        let absent: Patch = serde_json::from_str("{}").unwrap();
        let null: Patch = serde_json::from_str(r#"{"website": null}"#).unwrap();
        let set: Patch = serde_json::from_str(r#"{"website": "https://a.ch"}"#).unwrap();
        assert_eq!(
            apply(Some("old".to_string()), absent.website),
            Some("old".to_string())
        );
        assert_eq!(apply(Some("old".to_string()), null.website), None);
        assert_eq!(apply(None, set.website).as_deref(), Some("https://a.ch"));
    }
}
