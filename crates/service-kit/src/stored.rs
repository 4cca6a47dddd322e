//! Enum states at the store edge. A text column holding a state (`status`,
//! `workflow_state`, `role`…) is decoded into its enum when a row is read and encoded from
//! it when written, so handlers and reactions see only typed states. A stored value the
//! enum does not know fails the row's decode: the request answers a logged 500 problem
//! (or the reaction is retried and parked), never a panic.

use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde::Serialize;
use shared_domain::names::enum_name;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// A state stored as its snake_case name; `Deref`s to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stored<T>(pub T);

impl<T> Deref for Stored<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The stored (snake_case) name, as clients see it.
impl<T: Serialize> std::fmt::Display for Stored<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&enum_name(&self.0))
    }
}

impl<T> Type<Postgres> for Stored<T> {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl<'r, T: DeserializeOwned> Decode<'r, Postgres> for Stored<T> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Postgres>>::decode(value)?;
        decode_name(text).map(Stored)
    }
}

impl<T: Serialize> Encode<'_, Postgres> for Stored<T> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<Postgres>>::encode_by_ref(&enum_name(&self.0), buf)
    }
}

/// The state named `text`, or an error naming the unknown value.
pub fn decode_name<T: DeserializeOwned>(text: &str) -> Result<T, BoxDynError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|e| {
        format!(
            "stored value {text:?} is not a known {}: {e}",
            short_type::<T>()
        )
        .into()
    })
}

fn short_type<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Door {
        WideOpen,
    }

    #[test]
    fn a_known_name_decodes_and_an_unknown_one_is_an_error_not_a_panic() {
        assert_eq!(decode_name::<Door>("wide_open").unwrap(), Door::WideOpen);
        let error = decode_name::<Door>("ajar").unwrap_err().to_string();
        assert!(
            error.contains("\"ajar\"") && error.contains("Door"),
            "{error}"
        );
    }
}
