//! The HTTP/1.1 server loop every service runs: the router served on each accepted
//! connection, with a bound on how long a client may take to send a request's head.
//!
//! Without that bound a client that opens a connection and sends half a request holds the
//! connection, a task and a file descriptor for as long as it likes, and a stop waits for
//! it. The bound also ends idle keep-alive connections (the server waits for the next
//! head as it waits for the first), so callers that keep connections (the gateway, the
//! peers' clients) close idle ones sooner than this on their side.

use std::io;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Serves `app` on `listener` until `shutdown` fires; then accepts nothing more, asks every
/// open connection to close after its current request, and returns once all have closed.
/// A connection whose request head is not complete `header_timeout` after its first byte
/// (or, when idle, after its last answer) is closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: CancellationToken,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connections = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    refused(error).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
}

/// An accept that failed: a connection reset before it was taken costs nothing; anything
/// else (out of file descriptors, say) is logged and the loop pauses before the next try,
/// so it does not spin while the condition lasts.
async fn refused(error: io::Error) {
    let gone = matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    );
    if !gone {
        tracing::error!(%error, "accepting a connection failed");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
