//! Crypto-shredding: the key each person's personal data is sealed with on the bus. The
//! owning service (attendees, speakers) keeps the keys in its `person_keys` table, seals
//! inside the transaction that enqueues the event, destroys the key inside the erasing
//! transaction, and hands a key to the fleet's services over its internal route
//! ([`crate::peers`]); nothing routes that path from outside.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared_domain::contracts::Sealed;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::problem::ApiError;

/// Bytes of a person's key (AES-256).
pub const KEY_LEN: usize = 32;

/// A sealed value could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the key store failed: {0}")]
    Store(#[from] sqlx::Error),
    #[error("the sealed value is not readable with this key")]
    Unreadable,
    #[error("no random bytes for a key or nonce")]
    Random,
}

impl From<SealError> for ApiError {
    fn from(error: SealError) -> Self {
        match error {
            SealError::Store(error) => error.into(),
            other => ApiError::internal(other),
        }
    }
}

/// Seals `value` with person `id`'s key, creating the key on first use (inside the caller's
/// transaction, so the key exists exactly when the event that needs it does).
pub async fn seal<T: Serialize>(
    conn: &mut PgConnection,
    id: Uuid,
    value: &T,
) -> Result<Sealed<T>, SealError> {
    let key = key_of(conn, id).await?;
    seal_with(&key, id, value)
}

/// Seals `value` with `key` under key id `id`.
pub fn seal_with<T: Serialize>(key: &[u8], id: Uuid, value: &T) -> Result<Sealed<T>, SealError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| SealError::Random)?;
    let mut data = serde_json::to_vec(value).map_err(|_| SealError::Unreadable)?;
    cipher(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(id.as_bytes()),
            &mut data,
        )
        .map_err(|_| SealError::Unreadable)?;
    Ok(Sealed::new(
        id,
        STANDARD.encode(nonce),
        STANDARD.encode(data),
    ))
}

/// Opens `sealed` with `key`; a wrong key, a moved or altered payload is `Unreadable`.
pub fn open_with<T: DeserializeOwned>(key: &[u8], sealed: &Sealed<T>) -> Result<T, SealError> {
    let nonce: [u8; NONCE_LEN] = STANDARD
        .decode(&sealed.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or(SealError::Unreadable)?;
    let mut data = STANDARD
        .decode(&sealed.ciphertext)
        .map_err(|_| SealError::Unreadable)?;
    let plain = cipher(key)?
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(sealed.key_id.as_bytes()),
            &mut data,
        )
        .map_err(|_| SealError::Unreadable)?;
    serde_json::from_slice(plain).map_err(|_| SealError::Unreadable)
}

fn cipher(key: &[u8]) -> Result<LessSafeKey, SealError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| SealError::Unreadable)
}

/// Person `id`'s key, created when there is none yet.
async fn key_of(conn: &mut PgConnection, id: Uuid) -> Result<Vec<u8>, SealError> {
    let mut fresh = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut fresh)
        .map_err(|_| SealError::Random)?;
    sqlx::query("insert into person_keys (person_id, key) values ($1, $2) on conflict do nothing")
        .bind(id)
        .bind(fresh.as_slice())
        .execute(&mut *conn)
        .await?;
    Ok(
        sqlx::query_scalar("select key from person_keys where person_id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// Person `id`'s key if it still exists (none after erasure).
pub async fn existing_key(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("select key from person_keys where person_id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Destroys person `id`'s key: everything ever sealed for them becomes unreadable.
pub async fn destroy(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from person_keys where person_id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_domain::contracts::Identity;

    fn identity() -> Identity {
        Identity {
            email: "anna@example.ch".into(),
            first_name: "Anna".into(),
            last_name: "Muster".into(),
        }
    }

    #[test]
    fn a_sealed_identity_opens_with_its_key_only() {
        let (key, other) = ([7u8; KEY_LEN], [8u8; KEY_LEN]);
        let id = Uuid::now_v7();
        let sealed = seal_with(&key, id, &identity()).unwrap();
        assert!(!sealed.ciphertext.contains("anna"));
        assert_eq!(open_with(&key, &sealed).unwrap(), identity());
        assert!(matches!(
            open_with(&other, &sealed),
            Err(SealError::Unreadable)
        ));
    }

    #[test]
    fn a_payload_moved_to_another_person_does_not_open() {
        let key = [7u8; KEY_LEN];
        let sealed = seal_with(&key, Uuid::now_v7(), &identity()).unwrap();
        let moved = Sealed::<Identity>::new(Uuid::now_v7(), sealed.nonce, sealed.ciphertext);
        assert!(matches!(
            open_with(&key, &moved),
            Err(SealError::Unreadable)
        ));
    }
}
