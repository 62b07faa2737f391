//! Email trust: SPF, DKIM, DMARC, MX, MTA-STS and TLS-RPT, each record type's parser in its own
//! file and usable on its own, beside the check that judges it.
//!
//! References: RFC 7208 (SPF), RFC 6376 (DKIM), RFC 7489 and RFC 9989 (DMARC), RFC 5321 §5.1 and
//! RFC 7505 (MX, null MX), RFC 8461 (MTA-STS), RFC 8460 (TLS-RPT).

pub mod dkim;
pub mod dmarc;
pub mod mta_sts;
pub mod mx;
pub mod spf;
pub mod tags;
pub mod tls_rpt;
