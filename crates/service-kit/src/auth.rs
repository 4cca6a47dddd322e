//! Authentication: `Authorization: Bearer <JWT>` → [`Actor`].
//!
//! Locally tokens are HS256 with a dev secret (minted by the `dev-token` command); in
//! production they are RS256 from an OIDC provider, verified against its JWKS (keys cached
//! by `kid`, refetched when an unknown `kid` appears). Claims carry the subject's ids
//! (`speakerId`, `companyId`, `attendeeId`) so ownership checks need no lookup.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::RwLock;
use uuid::Uuid;

use crate::credentials::TokenRules;
use crate::problem::ApiError;

/// The platform roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Organizer,
    Speaker,
    Partner,
    Attendee,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.to_owned()))
            .map_err(|_| format!("unknown role {s}"))
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token subject (user id at the identity provider).
    pub subject: String,
    /// Platform-wide roles: the token's, refined by the platform's grants.
    pub roles: Vec<Role>,
    /// Roles the platform granted for one event only.
    pub event_roles: Vec<(Role, Uuid)>,
    pub speaker_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub attendee_id: Option<Uuid>,
    /// The account's email address (the token's `email` claim).
    pub email: Option<String>,
}

impl Actor {
    /// Whether the caller has `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller has `role` for event `event_id` (platform-wide or for that event).
    pub fn has_for(&self, role: Role, event_id: Uuid) -> bool {
        self.has(role) || self.event_roles.contains(&(role, event_id))
    }

    /// 403 unless the caller organizes some event (or all): the check before loading what
    /// names the event, so others learn nothing of what exists.
    pub fn require_organizer_somewhere(&self) -> Result<(), ApiError> {
        if self.has(Role::Organizer) || self.event_roles.iter().any(|(r, _)| *r == Role::Organizer)
        {
            Ok(())
        } else {
            self.require_any(&[Role::Organizer])
        }
    }

    /// 403 unless the caller organizes event `event_id` (platform-wide or for that event).
    pub fn require_organizer_of(&self, event_id: Uuid) -> Result<(), ApiError> {
        if self.has_for(Role::Organizer, event_id) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "This operation requires the organizer role for this event",
            ))
        }
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            let names: Vec<_> = roles
                .iter()
                .map(|r| {
                    serde_json::to_value(r)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            Err(ApiError::forbidden(format!(
                "This requires the role {}",
                names.join(" or ")
            )))
        }
    }
}

/// Whose personal data a request touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A speaker, by id (a speaker token carries it as `speakerId`).
    Speaker(Uuid),
    /// An attendee, by id (an attendee token carries it as `attendeeId`).
    Attendee(Uuid),
}

impl Actor {
    /// Whether the caller is `owner` (holding its role and its id claim).
    pub fn is(&self, owner: Owner) -> bool {
        match owner {
            Owner::Speaker(id) => self.has(Role::Speaker) && self.speaker_id == Some(id),
            Owner::Attendee(id) => self.has(Role::Attendee) && self.attendee_id == Some(id),
        }
    }

    /// Whether the caller is an organizer or `owner` itself. Where a resource of someone
    /// else is to stay hidden, its handler answers not found when this is false.
    pub fn is_self_or_organizer(&self, owner: Owner) -> bool {
        self.has(Role::Organizer) || self.is(owner)
    }

    /// 403 unless the caller is an organizer or `owner` itself: people see and change only
    /// their own data.
    pub fn require_self_or_organizer(&self, owner: Owner) -> Result<(), ApiError> {
        if self.is_self_or_organizer(owner) {
            return Ok(());
        }
        let whose = match owner {
            Owner::Speaker(_) => "speakers",
            Owner::Attendee(_) => "attendees",
        };
        Err(ApiError::forbidden(format!(
            "Only organizers and the person themself may do this; {whose} see and change only their own data"
        )))
    }
}

/// The JWT claims the platform reads; unknown claims are ignored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// The subject; a token without one is refused.
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendee_id: Option<Uuid>,
    /// The account's email address, as the identity provider vouches for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub exp: i64,
    /// Not valid before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// One audience or several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
}

impl From<Claims> for Actor {
    fn from(claims: Claims) -> Self {
        Actor {
            subject: claims.sub,
            roles: claims.roles.iter().filter_map(|r| r.parse().ok()).collect(),
            event_roles: Vec::new(),
            speaker_id: claims.speaker_id,
            company_id: claims.company_id,
            attendee_id: claims.attendee_id,
            email: claims.email,
        }
    }
}

/// How tokens are verified.
#[derive(Debug, Clone)]
pub enum AuthConfig {
    /// Shared-secret HS256 (local fleet and tests).
    Hs256 { secret: String },
    /// RS256 keys from a JWKS document (production OIDC provider).
    Jwks { url: String },
}

/// The longest bearer token accepted; real ones are well under 2 KB.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Verifies bearer tokens.
pub struct Authenticator {
    mode: Mode,
    rules: TokenRules,
    /// The service's pool with its `role_grants` read model (none: the token alone decides).
    grants: Option<PgPool>,
}

enum Mode {
    Hs256(DecodingKey),
    Jwks {
        url: String,
        client: reqwest::Client,
        keys: RwLock<(HashMap<String, DecodingKey>, Option<Instant>)>,
    },
}

impl Authenticator {
    /// An authenticator for `config` that requires what `rules` state of every token.
    pub fn new(config: &AuthConfig, rules: TokenRules) -> Arc<Self> {
        Arc::new(Self::build(config, rules, None))
    }

    /// An authenticator whose actors carry the platform's grants from `pool`'s
    /// `role_grants` read model ([`crate::grants`]).
    pub fn with_grants(config: &AuthConfig, rules: TokenRules, pool: PgPool) -> Arc<Self> {
        Arc::new(Self::build(config, rules, Some(pool)))
    }

    fn build(config: &AuthConfig, rules: TokenRules, grants: Option<PgPool>) -> Self {
        let mode = match config {
            AuthConfig::Hs256 { secret } => {
                Mode::Hs256(DecodingKey::from_secret(secret.as_bytes()))
            }
            AuthConfig::Jwks { url } => Mode::Jwks {
                url: url.clone(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("TLS backend available"),
                keys: RwLock::new((HashMap::new(), None)),
            },
        };
        Self {
            mode,
            rules,
            grants,
        }
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.set_audience(&[&self.rules.audience]);
        validation.set_issuer(&[&self.rules.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation
    }

    /// Verifies `token` and returns its actor, with the platform's grants when this
    /// authenticator reads them; any failure is a 401 with a stable message.
    pub async fn authenticate(&self, token: &str) -> Result<Actor, ApiError> {
        let claims = self.verify(token).await?;
        self.actor_of(claims).await
    }

    /// The actor of verified `claims`, with the platform's grants when this authenticator
    /// reads them.
    async fn actor_of(&self, claims: Claims) -> Result<Actor, ApiError> {
        let mut actor: Actor = claims.into();
        if let Some(pool) = &self.grants {
            let grants = crate::grants::of_subject(pool, &actor.subject).await?;
            crate::grants::refine(&mut actor, &grants);
        }
        Ok(actor)
    }

    /// Verifies `token` (signature, issuer, audience, lifetime, subject) and returns its
    /// claims; any failure is a 401 with a stable message.
    pub async fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(ApiError::unauthenticated(format!(
                "The bearer token is longer than {MAX_TOKEN_BYTES} bytes"
            )));
        }
        let invalid = |e: jsonwebtoken::errors::Error| ApiError::unauthenticated(refusal(&e));
        let claims = match &self.mode {
            Mode::Hs256(key) => {
                decode::<Claims>(token, key, &self.validation(Algorithm::HS256))
                    .map_err(invalid)?
                    .claims
            }
            Mode::Jwks { .. } => {
                let header = decode_header(token).map_err(invalid)?;
                if header.alg != Algorithm::RS256 {
                    return Err(ApiError::unauthenticated(
                        "The bearer token must be signed with RS256",
                    ));
                }
                let kid = header.kid.ok_or_else(|| {
                    ApiError::unauthenticated("The bearer token has no key id (kid)")
                })?;
                let key = self.jwks_key(&kid).await?;
                decode::<Claims>(token, &key, &self.validation(Algorithm::RS256))
                    .map_err(invalid)?
                    .claims
            }
        };
        if claims.sub.trim().is_empty() {
            return Err(ApiError::unauthenticated(
                "The bearer token lacks the claim sub",
            ));
        }
        let longest = i64::try_from(self.rules.max_lifetime.as_secs()).unwrap_or(i64::MAX);
        if claims.exp.saturating_sub(chrono::Utc::now().timestamp()) > longest {
            return Err(ApiError::unauthenticated(format!(
                "The bearer token is valid for longer than the {} hours a token may live",
                longest / 3600
            )));
        }
        Ok(claims)
    }

    async fn jwks_key(&self, kid: &str) -> Result<DecodingKey, ApiError> {
        let Mode::Jwks { url, client, keys } = &self.mode else {
            unreachable!("only called in JWKS mode")
        };
        if let Some(key) = keys.read().await.0.get(kid) {
            return Ok(key.clone());
        }
        let mut cache = keys.write().await;
        // An unknown kid triggers at most one refetch every 30 s (key rotation, not abuse).
        let stale = cache
            .1
            .is_none_or(|fetched| fetched.elapsed() > Duration::from_secs(30));
        if stale {
            let set: JwkSet = async {
                client
                    .get(url)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await
            }
            .await
            .map_err(|e| ApiError::internal(format!("JWKS fetch from {url} failed: {e}")))?;
            cache.0 = set
                .keys
                .iter()
                .filter_map(|jwk| {
                    Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?))
                })
                .collect();
            cache.1 = Some(Instant::now());
        }
        cache.0.get(kid).cloned().ok_or_else(|| {
            ApiError::unauthenticated(format!("The token's key id {kid} is unknown"))
        })
    }
}

/// A stable, human answer to why a token was refused (never the parser's words).
fn refusal(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "The bearer token has expired".into(),
        ErrorKind::ImmatureSignature => "The bearer token is not valid yet (nbf)".into(),
        ErrorKind::InvalidIssuer => {
            "The bearer token was issued by an issuer this platform does not trust".into()
        }
        ErrorKind::InvalidAudience => "The bearer token is meant for another audience".into(),
        ErrorKind::MissingRequiredClaim(claim) => {
            format!("The bearer token lacks the claim {claim}")
        }
        ErrorKind::InvalidSignature => "The bearer token's signature does not verify".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "The bearer token is signed with an algorithm this platform does not accept".into()
        }
        _ => "The bearer token is malformed".into(),
    }
}

/// Signs an HS256 token for `claims` (local fleet, tests and the `dev-token` command).
pub fn mint_hs256(secret: &str, claims: &Claims) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 signing cannot fail")
}

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthenticated("The Authorization header is not readable"))?;
    token_of(value).map(Some).ok_or_else(|| {
        ApiError::unauthenticated("The Authorization header must be 'Bearer <token>'")
    })
}

/// The bearer token `headers` carry, when their `Authorization` is a readable
/// `Bearer <token>` (unverified).
pub fn bearer_of(headers: &HeaderMap) -> Option<&str> {
    token_of(headers.get(AUTHORIZATION)?.to_str().ok()?)
}

fn token_of(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The claims of a request's bearer token once the common layers verified it (the rate
/// limit does, for every budgeted request); a request extension, which no client can set,
/// so the token is checked once per request.
#[derive(Clone)]
pub struct VerifiedToken(pub Claims);

/// The actor of the request's `token`, from the claims the layers verified when they did.
async fn actor_of_request(
    parts: &Parts,
    auth: &Authenticator,
    token: &str,
) -> Result<Actor, ApiError> {
    match parts.extensions.get::<VerifiedToken>() {
        Some(VerifiedToken(claims)) => auth.actor_of(claims.clone()).await,
        None => auth.authenticate(token).await,
    }
}

impl<S> FromRequestParts<S> for Actor
where
    Arc<Authenticator>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?
            .ok_or_else(|| ApiError::unauthenticated("A bearer token is required"))?;
        let auth = Arc::<Authenticator>::from_ref(state);
        let actor = actor_of_request(parts, &auth, token).await?;
        // Refused before the body is read: a caller without any role learns nothing from
        // how its input would have been judged.
        if actor.roles.is_empty() && actor.event_roles.is_empty() {
            return Err(ApiError::forbidden(
                "This token carries no role of the platform",
            ));
        }
        Ok(actor)
    }
}

impl<S> OptionalFromRequestParts<S> for Actor
where
    Arc<Authenticator>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer(parts)? {
            None => Ok(None),
            Some(token) => {
                let auth = Arc::<Authenticator>::from_ref(state);
                actor_of_request(parts, &auth, token).await.map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TokenRules {
        TokenRules {
            issuer: "https://id.test".into(),
            audience: "batbern-api".into(),
            max_lifetime: Duration::from_secs(24 * 3600),
        }
    }

    fn claims(roles: &[&str], exp_offset: i64) -> Claims {
        Claims {
            sub: "u-1".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            speaker_id: None,
            company_id: Some(Uuid::nil()),
            attendee_id: None,
            email: None,
            exp: chrono::Utc::now().timestamp() + exp_offset,
            nbf: None,
            iss: Some("https://id.test".into()),
            aud: Some("batbern-api".into()),
        }
    }

    #[tokio::test]
    async fn accepts_a_token_signed_with_the_secret() {
        let auth = Authenticator::new(
            &AuthConfig::Hs256 {
                secret: "s3cret".into(),
            },
            rules(),
        );
        let actor = auth
            .authenticate(&mint_hs256("s3cret", &claims(&["partner", "wizard"], 60)))
            .await
            .unwrap();
        assert_eq!(actor.roles, vec![Role::Partner]);
        assert_eq!(actor.company_id, Some(Uuid::nil()));
        assert!(actor.require_any(&[Role::Organizer]).is_err());
    }

    #[tokio::test]
    async fn refuses_forged_and_expired_tokens() {
        let auth = Authenticator::new(
            &AuthConfig::Hs256 {
                secret: "s3cret".into(),
            },
            rules(),
        );
        let forged = mint_hs256("other", &claims(&["organizer"], 60));
        assert_eq!(
            auth.authenticate(&forged).await.unwrap_err().kind,
            crate::ProblemKind::Unauthenticated
        );
        let expired = mint_hs256("s3cret", &claims(&["organizer"], -3600));
        assert_eq!(
            auth.authenticate(&expired).await.unwrap_err().kind,
            crate::ProblemKind::Unauthenticated
        );
    }
}
