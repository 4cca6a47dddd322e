//! A stop request (SIGTERM, as Kubernetes or a terminal sends it) ends a service process:
//! cleanly when nothing holds it, and within its stop grace when a client keeps a request
//! half sent, which the HTTP server would otherwise wait for without end.

use std::time::{Duration, Instant};

use fleet_tests::processes::ServiceProcess;
use fleet_tests::{unique, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn a_stop_request_ends_an_idle_service_cleanly() {
    let db = TestDb::create().await;
    let url = db.service_url("companies").await;
    let mut service = ServiceProcess::spawn("companies", &url, &unique("t"), "stop-idle");
    service.wait_until_ready().await;

    service.terminate();

    let status = service.exited_within(Duration::from_secs(30)).await;
    let status = status.expect("the service stops within 30 s of SIGTERM");
    assert!(status.success(), "a clean stop exits with 0, not {status}");
}

#[tokio::test]
async fn a_worker_thread_count_that_is_no_count_stops_start_up_with_a_line_naming_it() {
    for value in ["0", "many"] {
        let mut service = ServiceProcess::spawn_with(
            "companies",
            "postgres://nobody@127.0.0.1:9/none",
            &unique("t"),
            "bad-threads",
            &[("TOKIO_WORKER_THREADS", value)],
        );

        let status = service.exited_within(Duration::from_secs(30)).await;

        let status = status.expect("start-up stops at once");
        assert_eq!(status.code(), Some(2), "{value}: {}", service.output());
        let output = service.output();
        assert!(
            output.lines().count() == 1 && output.contains("TOKIO_WORKER_THREADS"),
            "{value}: {output}"
        );
    }
}

#[tokio::test]
async fn a_stop_request_ends_the_service_within_its_grace_while_a_client_holds_a_request() {
    let db = TestDb::create().await;
    let url = db.service_url("companies").await;
    let grace = Duration::from_secs(3);
    let mut service = ServiceProcess::spawn_with(
        "companies",
        &url,
        &unique("t"),
        "stop-held",
        &[("STOP_GRACE_SECS", "3")],
    );
    service.wait_until_ready().await;
    let address = service.base_url.trim_start_matches("http://").to_owned();
    let mut held = TcpStream::connect(&address).await.expect("a connection");
    held.write_all(b"GET /health/live HTTP/1.1\r\nHost: companies\r\n")
        .await
        .expect("half a request is sent");
    // The listener takes connections in the order they came: once a later one is answered,
    // the held one was accepted and the stop must wait for it.
    let mut later = TcpStream::connect(&address)
        .await
        .expect("a second connection");
    later
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: companies\r\nConnection: close\r\n\r\n")
        .await
        .expect("a whole request is sent");
    let mut answer = String::new();
    later.read_to_string(&mut answer).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let asked = Instant::now();
    service.terminate();

    let status = service.exited_within(Duration::from_secs(30)).await;
    let took = asked.elapsed();
    let status = status.expect("the service stops although the request stays half sent");
    assert!(
        took >= grace,
        "it waited its grace for the connection first, not {took:?}"
    );
    assert_eq!(status.code(), Some(1), "a stop cut short exits with 1");
    drop(held);
}
