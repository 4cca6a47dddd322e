//! The object store (S3 through aws-sdk-s3): presigned uploads that bind length, type and
//! SHA-256, presigned downloads, reading an object back for the confirmation's checks, and
//! deletion. Locally a path-style S3-compatible endpoint with static keys; in production
//! Amazon S3 with the default credential chain.

use std::time::Duration;

use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::Client;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::scanner::Scanner;
use crate::settings::S3Settings;

/// How many first bytes of an object the type check looks at.
const HEAD_BYTES: usize = 64;

/// A failed store operation, as text for logs.
#[derive(Debug, thiserror::Error)]
#[error("object store: {0}")]
pub struct StoreError(pub String);

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// A presigned request: where to send it and the headers it must carry.
#[derive(Debug, Clone)]
pub struct Presigned {
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// What the store holds for a key, read through once.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub size_bytes: i64,
    pub sha256: String,
    pub head: Vec<u8>,
    pub infection: Option<String>,
}

/// The bucket of the content service.
#[derive(Clone)]
pub struct ObjectStore {
    client: Client,
    bucket: String,
}

impl ObjectStore {
    /// A client of the configured store.
    pub async fn new(settings: &S3Settings) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()));
        if let Some((key, secret)) = &settings.static_keys {
            loader =
                loader.credentials_provider(Credentials::new(key, secret, None, None, "static"));
        }
        let shared = loader.load().await;
        // Checksums are ours to bind (the declared SHA-256), not the SDK's own CRCs.
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = &settings.endpoint {
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        Self {
            client: Client::from_conf(config.build()),
            bucket: settings.bucket.clone(),
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Creates the bucket when it is not there (local stores start empty).
    pub async fn ensure_bucket(&self) -> Result<(), StoreError> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_bucket_already_owned_by_you() || service.is_bucket_already_exists() {
                    Ok(())
                } else {
                    Err(failed(service))
                }
            }
        }
    }

    /// Whether the store answers.
    pub async fn ready(&self) -> bool {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
    }

    /// A presigned PUT of `key` that only an upload of exactly `size` bytes of `mime_type`
    /// with SHA-256 `sha256_hex` fits.
    pub async fn presign_upload(
        &self,
        key: &str,
        size: i64,
        mime_type: &str,
        sha256_hex: &str,
        expiry: Duration,
    ) -> Result<Presigned, StoreError> {
        let digest = hex::decode(sha256_hex).map_err(failed)?;
        let checksum = base64::engine::general_purpose::STANDARD.encode(digest);
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(size)
            .content_type(mime_type)
            .checksum_sha256(checksum)
            .presigned(PresigningConfig::expires_in(expiry).map_err(failed)?)
            .await
            .map_err(failed)?;
        Ok(Presigned {
            url: request.uri().to_owned(),
            headers: request
                .headers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        })
    }

    /// A presigned GET of `key` answering as `file_name` of `mime_type`, shown in the
    /// browser (`inline`) or saved.
    pub async fn presign_download(
        &self,
        key: &str,
        file_name: &str,
        mime_type: &str,
        inline: bool,
        expiry: Duration,
    ) -> Result<String, StoreError> {
        let disposition = if inline { "inline" } else { "attachment" };
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(format!("{disposition}; filename=\"{file_name}\""))
            .response_content_type(mime_type)
            .presigned(PresigningConfig::expires_in(expiry).map_err(failed)?)
            .await
            .map_err(failed)?;
        Ok(request.uri().to_owned())
    }

    /// Reads `key` through once: its size, SHA-256, first bytes and the scanner's verdict;
    /// `None` when there is no such object.
    #[tracing::instrument(name = "s3", skip_all, fields(otel.name = "S3 GetObject", otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "GetObject", key = %key))]
    pub async fn inspect(
        &self,
        key: &str,
        scanner: &Scanner,
    ) -> Result<Option<Inspected>, StoreError> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => object,
            Err(e) => {
                let service = e.into_service_error();
                return if service.is_no_such_key() {
                    Ok(None)
                } else {
                    Err(failed(service))
                };
            }
        };
        let mut body = object.body;
        let mut scan = scanner.stream().await.map_err(failed)?;
        let (mut hasher, mut head, mut size) =
            (Sha256::new(), Vec::with_capacity(HEAD_BYTES), 0i64);
        while let Some(chunk) = body.try_next().await.map_err(failed)? {
            hasher.update(&chunk);
            let room = HEAD_BYTES.saturating_sub(head.len());
            head.extend_from_slice(&chunk[..room.min(chunk.len())]);
            size += chunk.len() as i64;
            scan.send(&chunk).await.map_err(failed)?;
        }
        let infection = scan.verdict().await.map_err(failed)?;
        Ok(Some(Inspected {
            size_bytes: size,
            sha256: hex::encode(hasher.finalize()),
            head,
            infection,
        }))
    }

    /// Whether an object is stored under `key`.
    #[tracing::instrument(name = "s3", skip_all, fields(otel.name = "S3 HeadObject", otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "HeadObject", key = %key))]
    pub async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_not_found() {
                    Ok(false)
                } else {
                    Err(failed(service))
                }
            }
        }
    }

    /// Deletes `key` (deleting an absent key succeeds).
    #[tracing::instrument(name = "s3", skip_all, fields(otel.name = "S3 DeleteObject", otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "DeleteObject", key = %key))]
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(failed)
    }
}
