//! Email trust: the DNS records that let receivers tell the domain's real mail from forgeries and
//! deliver mail to it. One module per record type; each parser is usable on its own.
//!
//! References: RFC 7208 (SPF), RFC 5321 §5.1 and RFC 7505 (MX, null MX).

pub mod mx;
pub mod spf;
