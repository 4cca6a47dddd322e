//! Content figures: upload cycles per second (declare → presigned PUT straight to the store
//! → confirm, which reads the object back, hashes it and has clamd scan it), and a 50 MB
//! presigned upload's throughput next to a plain PUT of the same bytes to the same store.

use std::time::Instant;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use fleet_tests::api::Api;
use fleet_tests::content::{declaration, pdf, put, sha256};
use fleet_tests::planning::drafted_evening;
use fleet_tests::services::token_signed;
use serde_json::json;
use uuid::Uuid;

use super::{load, Args};

const MB: usize = 1024 * 1024;

pub async fn content_figures(args: &Args) {
    let organizer = Api::at(
        &args.gateway,
        Some(token_signed(&args.secret, &["organizer"], None)),
    );
    upload_cycles(args).await;
    let number = 9000 + (Uuid::now_v7().as_u128() % 900) as i32;
    let (_, sessions, _) = drafted_evening(&organizer, number, 50).await;
    large_upload(args, &organizer, &sessions[0]).await;
}

/// Speakers' CVs of 64 KiB, each declared, uploaded and confirmed.
async fn upload_cycles(args: &Args) {
    let secret = args.secret.clone();
    let gateway = args.gateway.clone();
    load(
        "upload cycles (64 KiB)",
        args.seconds,
        args.concurrency.min(16),
        move |worker, i| {
            let (secret, gateway) = (secret.clone(), gateway.clone());
            async move {
                let speaker = Uuid::from_u128(worker as u128 + 1);
                let token =
                    fleet_tests::services::token_of_speaker_signed(&secret, &speaker.to_string());
                let me = Api::at(&gateway, Some(token));
                let bytes = pdf(64 * 1024, (i % 26) as u8);
                let declared = declaration(
                    "cv.pdf",
                    "speaker_cv",
                    "application/pdf",
                    &bytes,
                    json!({"speakerId": speaker}),
                );
                let link = me.post("/api/v1/files", &declared).await;
                if !link.status.is_success() {
                    return (false, None);
                }
                put(&link.body, bytes).await;
                let id = link.body["fileId"].as_str().unwrap_or_default();
                let done = me
                    .post(
                        &format!("/api/v1/files/{id}/confirm"),
                        &json!({"checksum": declared["checksum"]}),
                    )
                    .await;
                let completed = done.body["uploadStatus"] == "completed";
                // Deleted again, so the speaker's quota never fills.
                me.delete(&format!("/api/v1/files/{id}")).await;
                (completed, None)
            }
        },
    )
    .await;
}

/// One 50 MB presentation: presigned PUT and confirmation, then a plain PUT of the same bytes.
async fn large_upload(args: &Args, organizer: &Api, session: &str) {
    let bytes = pdf(50 * MB, 7);
    let declared = declaration(
        "large.pdf",
        "presentation",
        "application/pdf",
        &bytes,
        json!({"sessionId": session}),
    );
    let link = organizer.post("/api/v1/files", &declared).await.body;
    let started = Instant::now();
    let status = put(&link, bytes.clone()).await;
    let presigned = started.elapsed().as_secs_f64();
    let id = link["fileId"].as_str().unwrap_or_default();
    let started = Instant::now();
    let done = organizer
        .post(
            &format!("/api/v1/files/{id}/confirm"),
            &json!({"checksum": sha256(&bytes)}),
        )
        .await;
    let confirm = started.elapsed().as_secs_f64();
    let client = plain_client(args).await;
    let started = Instant::now();
    let plain = client
        .put_object()
        .bucket(&args.s3_bucket)
        .key(format!("bench/{}", Uuid::new_v4()))
        .body(bytes.into())
        .send()
        .await;
    let direct = started.elapsed().as_secs_f64();
    println!(
        "50 MB upload                 presigned PUT {:>6.0} MB/s ({status})   confirm (read back, hash, scan) {:>5.2} s ({})   plain PUT to the same store {:>6.0} MB/s ({})",
        50.0 / presigned,
        confirm,
        done.body["uploadStatus"].as_str().unwrap_or("?"),
        50.0 / direct,
        if plain.is_ok() { "ok" } else { "failed" },
    );
}

async fn plain_client(args: &Args) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .endpoint_url(&args.s3_endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(
            &args.s3_key,
            &args.s3_secret,
            None,
            None,
            "static",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}
