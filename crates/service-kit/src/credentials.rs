//! How tokens are verified and links signed, from `JWT_*` and `SIGNING_SECRET`.
//!
//! Locally everything has a default (the dev secrets, issuer `batbern-local`, audience
//! `batbern-api`), so `dev-token` and the fleet agree without configuration. Production
//! refuses every development shortcut: the dev secrets, secrets under 32 bytes, one secret
//! for both tokens and links, and a missing issuer or audience.

use std::time::Duration;

use crate::auth::AuthConfig;
use crate::config::{ConfigError, Environment};

/// The HS256 secret the local fleet uses when `JWT_SECRET` is not given (never in production).
pub const DEV_JWT_SECRET: &str = "batbern-local-dev-secret";

/// The key of self-service links locally when `SIGNING_SECRET` is not given (never in production).
pub const DEV_SIGNING_SECRET: &str = "batbern-local-link-signing-key";

/// The `iss` of local tokens when `JWT_ISSUER` is not given.
pub const DEV_JWT_ISSUER: &str = "batbern-local";

/// The `aud` of local tokens when `JWT_AUDIENCE` is not given.
pub const DEV_JWT_AUDIENCE: &str = "batbern-api";

/// The shortest secret a service accepts locally; production asks for more.
const LOCAL_MIN_SECRET: usize = 16;
const PRODUCTION_MIN_SECRET: usize = 32;

/// What every accepted token must state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRules {
    /// `JWT_ISSUER`: the required `iss`.
    pub issuer: String,
    /// `JWT_AUDIENCE`: the required `aud` (one of them, when the token names several).
    pub audience: String,
    /// `JWT_MAX_LIFETIME_HOURS`: a token whose `exp` lies further ahead is refused.
    pub max_lifetime: Duration,
}

/// Token verification and link signing, as configured.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub auth: AuthConfig,
    pub tokens: TokenRules,
    pub signing_secret: String,
    /// `SERVICE_SECRET`: what the fleet's services present on each other's internal routes.
    pub service_secret: String,
}

/// Reads the credentials through `get` (an environment lookup that ignores blank values).
pub fn read(
    environment: Environment,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Credentials, ConfigError> {
    let production = environment == Environment::Production;
    let auth = match get("JWT_JWKS_URL") {
        Some(url) => AuthConfig::Jwks { url },
        None if production && get("JWT_SECRET").is_none() => {
            return Err(ConfigError::Missing("JWT_JWKS_URL"))
        }
        None => AuthConfig::Hs256 {
            secret: secret("JWT_SECRET", get("JWT_SECRET"), DEV_JWT_SECRET, production)?,
        },
    };
    let signing_secret = secret(
        "SIGNING_SECRET",
        get("SIGNING_SECRET"),
        DEV_SIGNING_SECRET,
        production,
    )?;
    if matches!(&auth, AuthConfig::Hs256 { secret } if *secret == signing_secret) {
        return Err(refused(
            "JWT_SECRET",
            "must differ from SIGNING_SECRET: a link key must never sign tokens",
        ));
    }
    let service_secret = secret(
        "SERVICE_SECRET",
        get("SERVICE_SECRET"),
        crate::peers::DEV_SERVICE_SECRET,
        production,
    )?;
    let token_secret = match &auth {
        AuthConfig::Hs256 { secret } => Some(secret.as_str()),
        AuthConfig::Jwks { .. } => None,
    };
    if service_secret == signing_secret || Some(service_secret.as_str()) == token_secret {
        return Err(refused(
            "SERVICE_SECRET",
            "must differ from JWT_SECRET and SIGNING_SECRET",
        ));
    }
    let named = |name: &'static str, local: &str| match get(name) {
        Some(value) => Ok(value),
        None if production => Err(ConfigError::Missing(name)),
        None => Ok(local.to_owned()),
    };
    let hours = match get("JWT_MAX_LIFETIME_HOURS") {
        None => 24,
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(hours @ 1..=168) => hours,
            _ => return Err(refused("JWT_MAX_LIFETIME_HOURS", "expected 1 to 168 hours")),
        },
    };
    Ok(Credentials {
        auth,
        tokens: TokenRules {
            issuer: named("JWT_ISSUER", DEV_JWT_ISSUER)?,
            audience: named("JWT_AUDIENCE", DEV_JWT_AUDIENCE)?,
            max_lifetime: Duration::from_secs(hours * 3600),
        },
        signing_secret,
        service_secret,
    })
}

/// The secret `name`: given and strong enough, or the dev secret locally.
fn secret(
    name: &'static str,
    given: Option<String>,
    dev: &str,
    production: bool,
) -> Result<String, ConfigError> {
    let minimum = if production {
        PRODUCTION_MIN_SECRET
    } else {
        LOCAL_MIN_SECRET
    };
    match given {
        None if production => Err(ConfigError::Missing(name)),
        None => Ok(dev.to_owned()),
        Some(value) if production && value == dev => Err(refused(
            name,
            "is the published development secret; production needs its own",
        )),
        Some(value) if value.len() < minimum => Err(ConfigError::Invalid {
            name,
            value: "*".repeat(value.len()),
            reason: format!("must be at least {minimum} bytes"),
        }),
        Some(value) => Ok(value),
    }
}

fn refused(name: &'static str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: "(hidden)".into(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn production(pairs: &[(&str, &str)]) -> Result<Credentials, ConfigError> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        read(Environment::Production, |name| {
            map.get(name).map(|v| v.to_string())
        })
    }

    const STRONG: &str = "a-production-secret-of-forty-two-bytes-len";
    const LINKS: &str = "another-production-secret-for-signing-links";
    const SERVICES: &str = "a-third-production-secret-between-services";

    #[test]
    fn local_runs_on_defaults_that_dev_tokens_share() {
        let local = read(Environment::Local, |_| None).unwrap();
        assert!(matches!(local.auth, AuthConfig::Hs256 { ref secret } if secret == DEV_JWT_SECRET));
        assert_eq!(local.tokens.issuer, DEV_JWT_ISSUER);
        assert_eq!(local.tokens.audience, DEV_JWT_AUDIENCE);
        assert_eq!(local.tokens.max_lifetime, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn production_refuses_the_dev_secrets() {
        let refused = production(&[
            ("JWT_SECRET", DEV_JWT_SECRET),
            ("SIGNING_SECRET", LINKS),
            ("JWT_ISSUER", "https://id"),
            ("JWT_AUDIENCE", "api"),
        ]);
        assert!(matches!(
            refused,
            Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                ..
            })
        ));
        let refused = production(&[
            ("JWT_SECRET", STRONG),
            ("SIGNING_SECRET", DEV_SIGNING_SECRET),
        ]);
        assert!(matches!(
            refused,
            Err(ConfigError::Invalid {
                name: "SIGNING_SECRET",
                ..
            })
        ));
    }

    #[test]
    fn production_refuses_secrets_under_32_bytes() {
        let refused = production(&[
            ("JWT_SECRET", "only-twenty-five-bytes-xx"),
            ("SIGNING_SECRET", LINKS),
        ]);
        assert!(matches!(
            refused,
            Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                ..
            })
        ));
    }

    #[test]
    fn one_secret_for_tokens_and_links_is_refused() {
        let refused = production(&[("JWT_SECRET", STRONG), ("SIGNING_SECRET", STRONG)]);
        assert!(matches!(
            refused,
            Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                ..
            })
        ));
    }

    #[test]
    fn production_requires_its_own_service_secret() {
        let base = [("JWT_SECRET", STRONG), ("SIGNING_SECRET", LINKS)];
        assert_eq!(
            production(&base).unwrap_err(),
            ConfigError::Missing("SERVICE_SECRET")
        );
        for reused in [STRONG, LINKS] {
            let mut pairs = base.to_vec();
            pairs.push(("SERVICE_SECRET", reused));
            assert!(matches!(
                production(&pairs),
                Err(ConfigError::Invalid {
                    name: "SERVICE_SECRET",
                    ..
                })
            ));
        }
        let mut pairs = base.to_vec();
        pairs.push(("SERVICE_SECRET", crate::peers::DEV_SERVICE_SECRET));
        assert!(production(&pairs).is_err(), "the published local secret");
    }

    #[test]
    fn production_requires_issuer_and_audience() {
        let base = [
            ("JWT_JWKS_URL", "https://id/jwks"),
            ("SIGNING_SECRET", LINKS),
            ("SERVICE_SECRET", SERVICES),
        ];
        assert_eq!(
            production(&base).unwrap_err(),
            ConfigError::Missing("JWT_ISSUER")
        );
        let mut pairs = base.to_vec();
        pairs.push(("JWT_ISSUER", "https://id"));
        assert_eq!(
            production(&pairs).unwrap_err(),
            ConfigError::Missing("JWT_AUDIENCE")
        );
        pairs.push(("JWT_AUDIENCE", "batbern-api"));
        assert_eq!(production(&pairs).unwrap().tokens.audience, "batbern-api");
    }
}
