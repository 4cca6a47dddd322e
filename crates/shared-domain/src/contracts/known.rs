//! Enum values on the bus. A contract field holds a `Known<T>`: the value when this build
//! knows it, else the name as the producer sent it, so a consumer built before a producer
//! added a value keeps working (it sees `Unknown` and decides what to do) instead of
//! parking every event that carries the new value.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::names::enum_name;

/// A contract enum value, or the unknown name it arrived as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known<T> {
    Value(T),
    Unknown(String),
}

impl<T: Copy> Known<T> {
    /// The value, when this build knows it.
    pub fn get(&self) -> Option<T> {
        match self {
            Known::Value(value) => Some(*value),
            Known::Unknown(_) => None,
        }
    }
}

impl<T: DeserializeOwned> Known<T> {
    /// The contract value named like the producer's own enum value `value` (contract and
    /// domain enums share their snake_case names).
    pub fn of(value: &impl Serialize) -> Self {
        Self::named(&enum_name(value))
    }

    /// The value called `name`, or `Unknown`.
    pub fn named(name: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(name.to_owned()))
            .map_or_else(|_| Known::Unknown(name.to_owned()), Known::Value)
    }
}

impl<T> From<T> for Known<T> {
    fn from(value: T) -> Self {
        Known::Value(value)
    }
}

impl<T: Serialize> std::fmt::Display for Known<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Known::Value(value) => f.write_str(&enum_name(value)),
            Known::Unknown(name) => f.write_str(name),
        }
    }
}

/// On the bus a `Known<T>` is just `T`'s value: its schema is `T`'s. (utoipa composes
/// the schemas of generic types through `ComposeSchema`.)
impl<T: utoipa::ToSchema> utoipa::__dev::ComposeSchema for Known<T> {
    fn compose(
        _: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        T::schema()
    }
}

/// Named `Known_<T>` in a document: `T`'s values, as far as the reader knows them.
impl<T: utoipa::ToSchema> utoipa::ToSchema for Known<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        "Known".into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        T::schemas(schemas);
    }
}

impl<T: Serialize> Serialize for Known<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Known::Value(value) => value.serialize(serializer),
            Known::Unknown(name) => serializer.serialize_str(name),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Known<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Self::named(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        DeepRed,
    }

    #[test]
    fn a_known_value_travels_by_its_name() {
        let known = Known::Value(Colour::DeepRed);
        assert_eq!(serde_json::to_string(&known).unwrap(), "\"deep_red\"");
        let back: Known<Colour> = serde_json::from_str("\"deep_red\"").unwrap();
        assert_eq!(back.get(), Some(Colour::DeepRed));
    }

    #[test]
    fn a_value_from_a_newer_producer_is_kept_as_unknown() {
        let newer: Known<Colour> = serde_json::from_str("\"ultraviolet\"").unwrap();
        assert_eq!(newer, Known::Unknown("ultraviolet".into()));
        assert_eq!(serde_json::to_string(&newer).unwrap(), "\"ultraviolet\"");
        assert_eq!(newer.get(), None);
    }
}
