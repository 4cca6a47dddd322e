//! Enum values as the platform writes them: snake_case strings in JSON and in text columns.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The snake_case name of an enum value.
pub fn enum_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Parses a stored snake_case enum value (columns only hold what their CHECK allows).
pub fn parse_stored<T: DeserializeOwned>(value: &str) -> T {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .expect("stored enum values are valid")
}
