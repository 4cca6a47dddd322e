//! The content service's own configuration, beside the shared `ServiceConfig`: the S3
//! store, the virus scanner, the public base of file addresses, link lifetimes and quotas.

use std::time::Duration;

use service_kit::config::ConfigError;

use crate::domain::quota::QuotaLimits;

/// Where objects live.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// `S3_ENDPOINT`; none: Amazon S3 with the default credential chain.
    pub endpoint: Option<String>,
    /// `S3_BUCKET`.
    pub bucket: String,
    /// `S3_REGION`.
    pub region: String,
    /// `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY` (a local store's static keys); none:
    /// the default credential chain.
    pub static_keys: Option<(String, String)>,
}

/// Everything the content service reads beyond the shared configuration.
#[derive(Debug, Clone)]
pub struct ContentSettings {
    pub s3: S3Settings,
    /// `CLAMD_ADDRESS`, `host:port` of clamd's TCP socket.
    pub clamd_address: String,
    /// `CONTENT_PUBLIC_BASE_URL`: public file addresses are `<base>/<s3 key>` (a CDN in
    /// production; locally the gateway's `/media`, which redirects to the store).
    pub public_base_url: String,
    /// `UPLOAD_URL_SECS`: lifetime of a presigned upload.
    pub upload_expiry: Duration,
    /// `DOWNLOAD_URL_SECS`: lifetime of a presigned download.
    pub download_expiry: Duration,
    /// `STORAGE_QUOTA_{SPEAKER,PARTNER,ATTENDEE}_BYTES`.
    pub quotas: QuotaLimits,
    /// `CONTENT_SWEEP_SECS`: how often expired uploads and removed files are swept.
    pub sweep_interval: Duration,
}

impl ContentSettings {
    /// Reads the settings through `lookup`; `public_base_url` is the fleet's public base.
    pub fn from_lookup(
        public_base_url: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let number = |name: &'static str, default: i64| -> Result<i64, ConfigError> {
            get(name).map_or(Ok(default), |raw| {
                raw.trim().parse().map_err(|_| ConfigError::Invalid {
                    name,
                    value: raw,
                    reason: "expected a whole number".into(),
                })
            })
        };
        let seconds = |name: &'static str, default: i64| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(number(name, default)?.max(1) as u64))
        };
        let static_keys = match (get("S3_ACCESS_KEY_ID"), get("S3_SECRET_ACCESS_KEY")) {
            (Some(key), Some(secret)) => Some((key, secret)),
            _ => None,
        };
        const MIB: i64 = 1024 * 1024;
        Ok(Self {
            s3: S3Settings {
                endpoint: get("S3_ENDPOINT"),
                bucket: get("S3_BUCKET").unwrap_or_else(|| "batbern-content".into()),
                region: get("S3_REGION").unwrap_or_else(|| "eu-central-1".into()),
                static_keys,
            },
            clamd_address: get("CLAMD_ADDRESS").unwrap_or_else(|| "127.0.0.1:3310".into()),
            public_base_url: get("CONTENT_PUBLIC_BASE_URL")
                .unwrap_or_else(|| format!("{public_base_url}/media"))
                .trim_end_matches('/')
                .to_owned(),
            upload_expiry: seconds("UPLOAD_URL_SECS", 900)?,
            download_expiry: seconds("DOWNLOAD_URL_SECS", 300)?,
            quotas: QuotaLimits {
                speaker: number("STORAGE_QUOTA_SPEAKER_BYTES", 200 * MIB)?,
                partner: number("STORAGE_QUOTA_PARTNER_BYTES", 50 * MIB)?,
                attendee: number("STORAGE_QUOTA_ATTENDEE_BYTES", 10 * MIB)?,
            },
            sweep_interval: seconds("CONTENT_SWEEP_SECS", 60)?,
        })
    }

    /// Reads the process environment.
    pub fn from_env(public_base_url: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(public_base_url, |name| std::env::var(name).ok())
    }
}
