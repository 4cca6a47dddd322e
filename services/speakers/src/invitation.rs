//! The signed, expiring self-service link of an invitation: an HS256 token naming the
//! assignment and the invitation it belongs to. A speaker without an account answers with
//! it; a tampered token is refused (401), an expired one is gone (410), and a withdrawn or
//! re-issued invitation no longer matches its `jti`.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an invitation link is valid.
pub const VALIDITY_DAYS: i64 = 21;

/// What an invitation token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationClaims {
    /// The session-speaker assignment.
    pub sub: Uuid,
    /// The invitation (a new invitation of the same assignment gets a new id).
    pub jti: Uuid,
    /// The invited speaker.
    pub spk: Uuid,
    pub exp: i64,
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    /// Malformed or tampered with.
    Invalid,
    /// Past its expiry.
    Expired,
}

/// Signs the link token of invitation `invitation_id`; returns it with its expiry.
pub fn sign(
    secret: &str,
    assignment_id: Uuid,
    invitation_id: Uuid,
    speaker_id: Uuid,
    now: DateTime<Utc>,
) -> (String, DateTime<Utc>) {
    let expires_at = now + Duration::days(VALIDITY_DAYS);
    let claims = InvitationClaims {
        sub: assignment_id,
        jti: invitation_id,
        spk: speaker_id,
        exp: expires_at.timestamp(),
    };
    (sign_claims(secret, &claims), expires_at)
}

/// Signs arbitrary claims (also used to mint expired tokens in tests).
pub fn sign_claims(secret: &str, claims: &InvitationClaims) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 signing cannot fail")
}

/// Verifies a token and returns its claims.
pub fn verify(secret: &str, token: &str) -> Result<InvitationClaims, TokenProblem> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_aud = false;
    decode::<InvitationClaims>(
        token.trim(),
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|data| data.claims)
    .map_err(|e| {
        if *e.kind() == ErrorKind::ExpiredSignature {
            TokenProblem::Expired
        } else {
            TokenProblem::Invalid
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_refuse_tampering_and_expiry() {
        let (a, i, s) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (token, _) = sign("k-0123456789abcdef", a, i, s, Utc::now());
        assert_eq!(verify("k-0123456789abcdef", &token).unwrap().sub, a);
        assert_eq!(
            verify("another-key-0123456", &token),
            Err(TokenProblem::Invalid)
        );
        let expired = sign_claims(
            "k-0123456789abcdef",
            &InvitationClaims {
                sub: a,
                jti: i,
                spk: s,
                exp: Utc::now().timestamp() - 10,
            },
        );
        assert_eq!(
            verify("k-0123456789abcdef", &expired),
            Err(TokenProblem::Expired)
        );
        assert_eq!(
            verify("k-0123456789abcdef", "garbage"),
            Err(TokenProblem::Invalid)
        );
    }
}
