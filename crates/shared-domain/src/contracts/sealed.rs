//! Personal data on the bus travels sealed: encrypted with a key that the producing context
//! keeps for that one person and destroys when the person is erased (crypto-shredding).
//! Consumers that need the plain values fetch the key from the producer's internal route;
//! once it is gone, every copy of the payload (topics, outboxes, dead letters, backups)
//! stays unreadable.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `T`, encrypted with AES-256-GCM under the key of person `keyId`; the key id is also
/// the authenticated data, so a payload cannot be moved to another person's key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct Sealed<T> {
    /// The person whose key seals the value (their id in the producing context).
    pub key_id: Uuid,
    /// The 96-bit nonce, base64.
    pub nonce: String,
    /// The ciphertext with its authentication tag, base64.
    pub ciphertext: String,
    #[serde(skip)]
    plain: PhantomData<fn() -> T>,
}

impl<T> Sealed<T> {
    /// Wraps what a sealing step produced.
    pub fn new(key_id: Uuid, nonce: String, ciphertext: String) -> Self {
        Self {
            key_id,
            nonce,
            ciphertext,
            plain: PhantomData,
        }
    }
}

/// The same shape whatever is sealed: the key id, the nonce and the ciphertext. (utoipa
/// composes the schemas of generic types through `ComposeSchema`.)
impl<T> utoipa::__dev::ComposeSchema for Sealed<T> {
    fn compose(
        _: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
        };
        ObjectBuilder::new()
            .description(Some(
                "A value encrypted (AES-256-GCM) under the key of one person, destroyed when the person is erased",
            ))
            .property(
                "keyId",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Uuid,
                    )))
                    .description(Some("The person whose key seals the value")),
            )
            .property("nonce", text("The 96-bit nonce, base64"))
            .property(
                "ciphertext",
                text("The ciphertext with its authentication tag, base64"),
            )
            .required("keyId")
            .required("nonce")
            .required("ciphertext")
            .into()
    }
}

impl<T> utoipa::ToSchema for Sealed<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        "Sealed".into()
    }
}

impl<T> Clone for Sealed<T> {
    fn clone(&self) -> Self {
        Self::new(self.key_id, self.nonce.clone(), self.ciphertext.clone())
    }
}

impl<T> PartialEq for Sealed<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.key_id, &self.nonce, &self.ciphertext)
            == (other.key_id, &other.nonce, &other.ciphertext)
    }
}

/// Who a person is: what profile announcements seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// An address a person asked to move to: what address-change announcements seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub email: String,
}
