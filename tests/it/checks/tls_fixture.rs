//! Loopback fixtures for the TLS and CAA checks: one `.test` host served by our DNS authority on
//! 127.0.0.1, a TLS (or deliberately broken) server on 127.0.0.1:0 as its https-port, and a config
//! pointing at both.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use launchready::check::Finding;
use launchready::demo::{DnsAuthority, Leaf, TestCa};
use launchready::scorecard::Scorecard;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The fixture's host name.
pub const HOST: &str = "shop.test";

/// What listens on the fixture's HTTPS port.
pub enum Server {
    /// rustls serving this leaf's chain, answering `/` with the given HSTS header (if any).
    Tls(Leaf, Option<&'static str>),
    /// Writes an HTTP error page instead of TLS.
    Garbage,
    /// Resets every connection at once.
    Reset,
    /// Accepts and never answers.
    Silent,
    /// Answers every ClientHello, whatever it offers, with a TLS 1.0 ServerHello.
    Tls10Only,
}

/// A running fixture; its servers stop when dropped.
pub struct Fixture {
    /// The generated config file.
    pub config: std::path::PathBuf,
    _dns: DnsAuthority,
    _tasks: JoinSet<()>,
    _dir: tempfile::TempDir,
}

fn tls10_server_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x01];
    body.extend([0x11; 32]);
    body.extend([0x00, 0x00, 0x2f, 0x00]);
    let mut record = vec![
        0x16,
        0x03,
        0x01,
        0x00,
        body.len() as u8 + 4,
        0x02,
        0x00,
        0x00,
    ];
    record.push(body.len() as u8);
    record.extend(body);
    record
}

async fn serve(listener: TcpListener, server: Server) {
    match server {
        Server::Tls(leaf, hsts) => {
            let config = leaf
                .server_config()
                .expect("the leaf makes a server config");
            let app = Router::new().route(
                "/",
                get(move || async move {
                    let mut response = "<h1>shop</h1>".into_response();
                    if let Some(value) = hsts {
                        response.headers_mut().insert(
                            header::STRICT_TRANSPORT_SECURITY,
                            header::HeaderValue::from_static(value),
                        );
                    }
                    response
                }),
            );
            launchready::demo::portal::serve_tls(
                listener,
                tokio_rustls::TlsAcceptor::from(config),
                app,
            )
            .await;
        }
        behaviour => {
            let behaviour = Arc::new(behaviour);
            let mut connections = JoinSet::new();
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let behaviour = behaviour.clone();
                connections.spawn(async move {
                    let mut buf = [0u8; 2048];
                    match *behaviour {
                        Server::Garbage => {
                            let _ = stream.read(&mut buf).await;
                            let _ = stream
                                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                                .await;
                        }
                        Server::Reset => {
                            let _ = stream.set_zero_linger();
                        }
                        Server::Silent => {
                            let _ = stream.read(&mut buf).await;
                            tokio::time::sleep(Duration::from_secs(600)).await;
                        }
                        Server::Tls10Only => {
                            let _ = stream.read(&mut buf).await;
                            let _ = stream.write_all(&tls10_server_hello()).await;
                            let _ = stream.shutdown().await;
                        }
                        Server::Tls(..) => {}
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        }
    }
}

impl Fixture {
    /// Serves `server` for [`HOST`], with `caa` lines added to its zone, trusting `ca`.
    pub async fn start(server: Server, ca: &TestCa, caa: &str) -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut tasks = JoinSet::new();
        tasks.spawn(serve(listener, server));
        let zone = format!(
            "$ORIGIN {HOST}.\n$TTL 60\n@ IN SOA ns.{HOST}. hostmaster.{HOST}. 1 3600 600 86400 60\n@ IN NS ns.{HOST}.\nns IN A 127.0.0.1\n@ IN A 127.0.0.1\n{caa}"
        );
        let dns = DnsAuthority::start(&[(HOST, &zone)]).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
        let config = dir.path().join("checks.toml");
        std::fs::write(&config, config_text(dns.addr, port)).unwrap();
        Fixture {
            config,
            _dns: dns,
            _tasks: tasks,
            _dir: dir,
        }
    }

    /// Audits the fixture with only the named checks.
    pub async fn audit(&self, only: &[&str]) -> Scorecard {
        let env = std::collections::BTreeMap::new();
        let target =
            launchready::config::load(&self.config, &env).expect("the fixture config is valid");
        let net = launchready::net::Net::new(&target).expect("the clients build");
        let mut options = launchready::AuditOptions::default();
        options.run.only = only.iter().map(|s| s.to_string()).collect();
        launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
    }

    /// The findings of one check.
    pub async fn findings(&self, id: &str) -> Vec<Finding> {
        let card = self.audit(&[id]).await;
        card.row(id).expect("the check ran").findings.clone()
    }
}

fn config_text(dns: SocketAddr, https_port: u16) -> String {
    format!(
        r#"[target]
name = "TLS fixture"
base-url = "https://{HOST}"
hosts = ["{HOST}"]

[dns]
nameservers = ["{dns}"]
timeout-ms = 2000

[tls]
extra-ca = "ca.pem"
caa-issuer = "pki.shop.test"

[http]
https-port = {https_port}
connect-timeout-ms = 2000
timeout-ms = 2000
"#
    )
}

/// The findings of a flawed-demo row for the hosts that can be reached: the dangling
/// `shop.acme.test` does not resolve, so its findings must be errors and are left out.
pub fn reachable_demo_findings(
    row: &launchready::scorecard::CheckRow,
) -> Vec<&launchready::check::Finding> {
    let (unresolved, reached): (Vec<_>, Vec<_>) = row
        .findings
        .iter()
        .partition(|f| f.subject.to_string().starts_with("shop.acme.test"));
    assert!(
        unresolved
            .iter()
            .all(|f| f.status == launchready::check::Status::Error),
        "the dangling shop host cannot be reached"
    );
    reached
}
