//! Email trust: SPF, DKIM, DMARC, MX, MTA-STS and TLS-RPT, each record type's parser in its own
//! file and usable on its own, beside the check that judges it.

pub mod dkim;
pub mod dmarc;
pub mod mta_sts;
pub mod tags;
pub mod tls_rpt;
