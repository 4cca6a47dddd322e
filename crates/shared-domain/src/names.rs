//! Enum values as the platform writes them: snake_case strings in JSON and in text columns.
//! Reading a stored value back is `service_kit::Stored`'s job, which fails instead of
//! panicking on a value it does not know.

use serde::Serialize;

/// The snake_case name of an enum value.
pub fn enum_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
