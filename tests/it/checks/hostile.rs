//! Hostile servers on raw loopback TCP: a redirect loop, a slow-drip body, a 10 MB header, a reset
//! connection and plain text where TLS was expected. Each gives an error or fail finding within
//! the request timeout; none hangs the run or panics.

use std::sync::Arc;
use std::time::Duration;

use launchready::check::{Severity, Status};
use launchready::scorecard::Verdict;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::audit_config;

/// What the fixture does with each connection after reading the request head.
#[derive(Clone, Copy)]
enum Behaviour {
    /// `/` → 301 `/a` → 301 `/`.
    Loop,
    /// Headers, then one body byte every 100 ms, forever.
    SlowDrip,
    /// A 10 MB header value.
    HugeHeader,
    /// Closes the connection with a reset, the request unread.
    Reset,
}

/// Reads until the end of the request head; returns the request path. A TLS ClientHello gets
/// plain text back, as from a server that does not speak TLS on the port.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.ok()?;
    if buf[..n].first() == Some(&0x16) {
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
        return None;
    }
    head.extend_from_slice(&buf[..n]);
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    text.split_whitespace().nth(1).map(str::to_string)
}

async fn serve(mut stream: TcpStream, behaviour: Behaviour) {
    if let Behaviour::Reset = behaviour {
        // Closing with the request unread makes the kernel answer with RST.
        let _ = stream.readable().await;
        return;
    }
    let Some(path) = read_head(&mut stream).await else {
        return;
    };
    match behaviour {
        Behaviour::Loop => {
            let next = if path == "/" { "/a" } else { "/" };
            let answer = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {next}\r\nContent-Length: 0\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
        Behaviour::SlowDrip => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n",
                )
                .await;
            loop {
                if stream.write_all(b"x").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Behaviour::HugeHeader => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX-Big: ").await;
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..160 {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            let _ = stream.write_all(b"\r\nContent-Length: 0\r\n\r\n").await;
        }
        Behaviour::Reset => {}
    }
}

/// Serves `behaviour` on a loopback port until the test ends.
async fn start(behaviour: Behaviour) -> u16 {
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, behaviour));
        }
    });
    port
}

/// A target on 127.0.0.1 whose http:// and https:// ports both reach the fixture, with a short
/// request timeout.
fn config(port: u16) -> String {
    format!(
        "[target]\nbase-url = \"https://127.0.0.1\"\n\n[http]\nhttp-port = {port}\nhttps-port = {port}\ntimeout-ms = 1000\nconnect-timeout-ms = 1000\n"
    )
}

#[tokio::test]
async fn a_redirect_loop_is_reported_with_its_cycle() {
    let port = start(Behaviour::Loop).await;
    let card = audit_config(&config(port), &[], &["canonical-host", "https-redirect"]).await;
    let row = card.row("canonical-host").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let looped = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "http://127.0.0.1/")
        .unwrap();
    assert_eq!(
        (looped.status, looped.severity),
        (Status::Fail, Severity::High)
    );
    let cycle = looped.evidence.iter().find(|e| e.label == "cycle").unwrap();
    assert_eq!(
        cycle.value,
        "http://127.0.0.1/ → http://127.0.0.1/a → http://127.0.0.1/"
    );
    let https = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "https://127.0.0.1/")
        .unwrap();
    assert_eq!(
        https.status,
        Status::Error,
        "plain text where TLS was expected"
    );
    assert!(https.message.contains("did not answer"), "{https:#?}");
    assert_eq!(card.row("https-redirect").unwrap().verdict(), Verdict::Fail);
}

#[tokio::test]
async fn a_slow_drip_body_times_out_as_an_error() {
    let port = start(Behaviour::SlowDrip).await;
    let card = audit_config(&config(port), &[], &["https-redirect", "security-headers"]).await;
    let row = card.row("https-redirect").unwrap();
    assert_eq!(row.verdict(), Verdict::Error, "{:#?}", row.findings);
    assert!(
        row.findings[0].message.contains("timed out"),
        "{:#?}",
        row.findings
    );
    let headers = card.row("security-headers").unwrap();
    assert_eq!(headers.findings[0].status, Status::Inconclusive);
}

#[tokio::test]
async fn a_ten_megabyte_header_is_refused_as_an_error() {
    let port = start(Behaviour::HugeHeader).await;
    let card = audit_config(&config(port), &[], &["https-redirect"]).await;
    let row = card.row("https-redirect").unwrap();
    assert_eq!(row.verdict(), Verdict::Error, "{:#?}", row.findings);
    assert!(row.findings[0].message.contains("did not answer"));
}

#[tokio::test]
async fn a_reset_connection_is_an_error() {
    let port = start(Behaviour::Reset).await;
    let card = audit_config(&config(port), &[], &["https-redirect", "cookie-flags"]).await;
    assert_eq!(
        card.row("https-redirect").unwrap().verdict(),
        Verdict::Error
    );
    assert_eq!(
        card.row("cookie-flags").unwrap().verdict(),
        Verdict::Inconclusive
    );
}
