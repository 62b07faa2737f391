//! An authoritative DNS server on loopback (hickory-server), serving zones given as zone-file text.

use std::io;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{LowerName, Name};
use hickory_proto::serialize::txt::Parser;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use tokio::net::{TcpListener, UdpSocket};

/// A running authority; it stops when dropped.
pub struct DnsAuthority {
    /// UDP and TCP address (same port).
    pub addr: SocketAddr,
    _server: Server<Catalog>,
}

/// Why a zone could not be served.
fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl DnsAuthority {
    /// Serves the zones, each `(origin, zone text)`, on 127.0.0.1 over UDP and TCP.
    pub async fn start(zones: &[(&str, &str)]) -> io::Result<Self> {
        let mut catalog = Catalog::new();
        for (origin, text) in zones {
            let origin = Name::from_str(&format!("{}.", origin.trim_end_matches('.')))
                .map_err(|e| invalid(format!("bad zone origin {origin}: {e}")))?;
            let (origin, records) = Parser::new(*text, None, Some(origin))
                .parse()
                .map_err(|e| invalid(format!("bad zone text: {e}")))?;
            let handler = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
                origin.clone(),
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .map_err(invalid)?;
            catalog.upsert(LowerName::from(origin), vec![Arc::new(handler)]);
        }
        let (udp, tcp) = bind_pair().await?;
        let addr = udp.local_addr()?;
        let mut server = Server::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 65_535);
        Ok(DnsAuthority {
            addr,
            _server: server,
        })
    }
}

/// A UDP socket and a TCP listener on the same free loopback port.
async fn bind_pair() -> io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port pair")))
}
