//! A client slow to send a request's head loses its connection after the service's bound
//! (`HEADER_READ_TIMEOUT_SECS`), and so does one left idle after an answer; a head sent in
//! pieces within the bound is answered, and others are served meanwhile.

use std::time::{Duration, Instant};

use fleet_tests::{TestDb, TestService};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEAD: &[u8] = b"GET /health/live HTTP/1.1\r\nHost: companies\r\n\r\n";

/// Reads `stream` until the service closes it; `None` when it is still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut received)).await {
        Ok(_) => Some(received),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_head_not_complete_within_the_bound_loses_its_connection() {
    let db = TestDb::create().await;
    let service = TestService::companies_with(&db, &[("HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let mut slow = TcpStream::connect(service.address)
        .await
        .expect("a connection");
    slow.write_all(&HEAD[..30])
        .await
        .expect("half a head is sent");
    let started = Instant::now();

    let answer = service
        .client
        .get(format!("{}/health/live", service.base_url))
        .send()
        .await
        .expect("another caller is answered meanwhile");
    let received = closed_within(&mut slow, Duration::from_secs(15)).await;

    assert_eq!(answer.status(), 200);
    let received = received.expect("the service closes the slow connection");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "it waited its bound first, not {:?}",
        started.elapsed()
    );
    assert!(
        !received.starts_with(b"HTTP/1.1 200"),
        "half a head is never answered as a request"
    );
}

#[tokio::test]
async fn a_head_sent_in_pieces_within_the_bound_is_answered_and_the_idle_connection_then_closed() {
    let db = TestDb::create().await;
    let service = TestService::companies_with(&db, &[("HEADER_READ_TIMEOUT_SECS", "2")]).await;
    let mut stream = TcpStream::connect(service.address)
        .await
        .expect("a connection");

    stream
        .write_all(&HEAD[..30])
        .await
        .expect("the first piece");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stream.write_all(&HEAD[30..]).await.expect("the rest");
    let answered = Instant::now();
    let received = closed_within(&mut stream, Duration::from_secs(15)).await;

    let received = received.expect("the idle connection is closed after the bound");
    assert!(
        received.starts_with(b"HTTP/1.1 200"),
        "the head completed in time is answered: {}",
        String::from_utf8_lossy(&received)
    );
    assert!(
        answered.elapsed() >= Duration::from_millis(1500),
        "the connection stayed open for the next request first, not {:?}",
        answered.elapsed()
    );
}
