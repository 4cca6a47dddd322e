//! The virus scanner: clamd's INSTREAM protocol over TCP (`zINSTREAM\0`, chunks each
//! prefixed by their 4-byte big-endian length, a zero length to end; the answer is
//! `stream: OK` or `stream: <signature> FOUND`).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The largest chunk sent at once.
const CHUNK: usize = 64 * 1024;
/// How long the scanner may take to connect or to answer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where clamd listens.
#[derive(Debug, Clone)]
pub struct Scanner {
    address: String,
}

/// A scan in progress.
pub struct Scan {
    stream: TcpStream,
}

impl Scanner {
    /// A scanner at `host:port`.
    pub fn new(address: &str) -> Self {
        Self {
            address: address.to_owned(),
        }
    }

    /// Starts a scan.
    pub async fn stream(&self) -> std::io::Result<Scan> {
        let mut stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(&self.address))
            .await
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "clamd did not answer")
            })??;
        stream.write_all(b"zINSTREAM\0").await?;
        Ok(Scan { stream })
    }

    /// Whether clamd answers `PING`.
    pub async fn ready(&self) -> bool {
        let ping = async {
            let mut stream = TcpStream::connect(&self.address).await?;
            stream.write_all(b"zPING\0").await?;
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(answer.starts_with(b"PONG"))
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(2), ping).await,
            Ok(Ok(true))
        )
    }
}

impl Scan {
    /// Sends the next bytes.
    pub async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        for chunk in bytes.chunks(CHUNK) {
            self.stream
                .write_all(&(chunk.len() as u32).to_be_bytes())
                .await?;
            self.stream.write_all(chunk).await?;
        }
        Ok(())
    }

    /// Ends the stream and reads the verdict: the signature found, or `None` when clean.
    pub async fn verdict(mut self) -> std::io::Result<Option<String>> {
        self.stream.write_all(&0u32.to_be_bytes()).await?;
        let mut answer = Vec::new();
        tokio::time::timeout(TIMEOUT, self.stream.read_to_end(&mut answer))
            .await
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "clamd gave no verdict")
            })??;
        parse_verdict(&String::from_utf8_lossy(&answer))
    }
}

/// `stream: OK` → clean; `stream: <name> FOUND` → the signature; anything else (a size
/// limit, an error) fails the scan, so nothing unscanned is ever accepted.
fn parse_verdict(answer: &str) -> std::io::Result<Option<String>> {
    let answer = answer.trim_end_matches('\0').trim();
    let body = answer.strip_prefix("stream: ").unwrap_or(answer);
    if body == "OK" {
        return Ok(None);
    }
    if let Some(name) = body.strip_suffix(" FOUND") {
        return Ok(Some(name.trim_end_matches(".UNOFFICIAL").to_owned()));
    }
    Err(std::io::Error::other(format!("clamd answered {answer:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_read() {
        assert_eq!(parse_verdict("stream: OK\0").unwrap(), None);
        assert_eq!(
            parse_verdict("stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0").unwrap(),
            Some("Eicar-Test-Signature".into())
        );
        assert!(parse_verdict("INSTREAM size limit exceeded. ERROR\0").is_err());
    }
}
