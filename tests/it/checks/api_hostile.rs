//! API checks against hostile servers on loopback: a server that resets every connection, one
//! that answers garbage instead of HTTP, and one that streams an endless body. Each check ends with
//! error or fail findings, never a hang or a panic.

use std::collections::BTreeMap;
use std::path::Path;

use launchready::check::Status;
use launchready::scorecard::Verdict;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Copy)]
enum Behaviour {
    Reset,
    Garbage,
    EndlessBody,
}

async fn hostile(behaviour: Behaviour) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                match behaviour {
                    Behaviour::Reset => drop(stream),
                    Behaviour::Garbage => {
                        let _ = stream
                            .write_all(b"\x00\x01garbage that is not HTTP\r\n\r\n")
                            .await;
                    }
                    Behaviour::EndlessBody => {
                        let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n";
                        if stream.write_all(head).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'A'; 64 * 1024];
                        while stream.write_all(&chunk).await.is_ok() {}
                    }
                }
            });
        }
    });
    port
}

async fn audit(port: u16) -> launchready::scorecard::Scorecard {
    let text = format!(
        "[target]\nname = \"hostile\"\nbase-url = \"http://127.0.0.1:{port}\"\nscope = [\"127.0.0.1\"]\n\n[http]\ntimeout-ms = 2000\nmax-body-bytes = 100000\n\n[[endpoints]]\nname = \"thing\"\npath = \"/api/things/{{id}}\"\nids = [\"1\"]\n"
    );
    let target = launchready::config::parse(&text, Path::new("checks.toml"), &BTreeMap::new())
        .expect("valid config");
    let net = launchready::net::Net::new(&target).unwrap();
    let mut options = launchready::AuditOptions::default();
    options.run.only = ["auth-required", "cors", "error-leakage", "exposed-files"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
}

#[tokio::test]
async fn resets_and_garbage_become_error_findings() {
    for behaviour in [Behaviour::Reset, Behaviour::Garbage] {
        let card = audit(hostile(behaviour).await).await;
        for id in ["auth-required", "cors", "error-leakage", "exposed-files"] {
            let row = card.row(id).unwrap();
            assert_eq!(row.verdict(), Verdict::Error, "{id}: {:#?}", row.findings);
            assert!(
                row.findings.iter().all(|f| f.status != Status::Pass),
                "{id}"
            );
        }
    }
}

#[tokio::test]
async fn an_endless_body_is_capped_and_judged() {
    let card = audit(hostile(Behaviour::EndlessBody).await).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(
        row.verdict(),
        Verdict::Fail,
        "a 200 to anonymous callers: {:#?}",
        row.findings
    );
    assert!(format!("{:?}", row.findings).contains("100000 bytes"));
}
