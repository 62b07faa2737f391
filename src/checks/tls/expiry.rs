//! `tls-expiry`: days left on each host's leaf certificate, against the `[tls]` thresholds
//! (expiry-critical-days / expiry-high-days / expiry-medium-days; default 7 / 14 / 30).
//!
//! Reference: RFC 5280 §4.1.2.5 (validity); CA/Browser Forum Baseline Requirements §6.3.2.

use time::OffsetDateTime;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{Target, TlsSettings};
use crate::net::tls::TlsProbe;

use super::{dialled, handshake_or_error, per_host};

/// Metadata of the `tls-expiry` check.
pub static META: CheckMeta = CheckMeta {
    id: "tls-expiry",
    title: "Certificate is not about to expire",
    category: Category::Tls,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "An expired certificate takes the whole site down for browsers and API clients at once; a certificate close to expiry means renewal is manual or broken.",
    breaks: "On the expiry date every visitor gets a certificate error and integrations stop, usually on a weekend and with nobody watching.",
    remediation: "Automate renewal (ACME client or managed certificates) well ahead of expiry, and alert when a served certificate has fewer than 30 days left.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5",
        "https://cabforum.org/working-groups/server/baseline-requirements/",
    ],
};

/// Builds the check with the configured thresholds.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(TlsExpiry {
        hosts: target.hosts.clone(),
        settings: target.tls.clone(),
    }))
}

struct TlsExpiry {
    hosts: Vec<String>,
    settings: TlsSettings,
}

#[async_trait::async_trait]
impl Check for TlsExpiry {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let now = OffsetDateTime::now_utc();
        per_host(&self.hosts, |host| async move {
            vec![judge(&*ctx.net.tls.probe(&host).await, &self.settings, now)]
        })
        .await
    }
}

fn date(t: OffsetDateTime) -> String {
    t.date().to_string()
}

/// The severity for `days` left, or `None` when the certificate has time enough.
pub fn severity_for(days: i64, settings: &TlsSettings) -> Option<Severity> {
    if days < settings.expiry_critical_days {
        Some(Severity::Critical)
    } else if days < settings.expiry_high_days {
        Some(Severity::High)
    } else if days < settings.expiry_medium_days {
        Some(Severity::Medium)
    } else {
        None
    }
}

fn judge(probe: &TlsProbe, settings: &TlsSettings, now: OffsetDateTime) -> Finding {
    let handshake = match handshake_or_error(&META, probe) {
        Ok(h) => h,
        Err(finding) => return *finding,
    };
    let subject = Subject::host(&probe.host);
    let leaf = match handshake.leaf() {
        Ok(leaf) => leaf,
        Err(e) => {
            return Finding::error(
                &META,
                subject,
                format!("cannot read the certificate of {}: {e}", probe.host),
            )
            .evidence("dialled", dialled(probe));
        }
    };
    let validity = format!("{} to {}", date(leaf.not_before), date(leaf.not_after));
    let host = &probe.host;
    if now < leaf.not_before {
        return Finding::fail(
            &META,
            subject,
            format!(
                "certificate for {host} is not valid until {}; clients reject it now",
                date(leaf.not_before)
            ),
        )
        .evidence("validity", validity)
        .remediation("check the issuing system's clock and serve a certificate that is valid now");
    }
    let left = leaf.not_after - now;
    let days = left.whole_days();
    if left.is_negative() {
        let ago = (-left).whole_days();
        return Finding::fail(
            &META,
            subject,
            format!(
                "certificate for {host} expired {ago} day{} ago ({}); clients reject it",
                if ago == 1 { "" } else { "s" },
                date(leaf.not_after)
            ),
        )
        .evidence("validity", validity)
        .remediation("renew and deploy the certificate now, then fix auto-renewal");
    }
    let plural = if days == 1 { "" } else { "s" };
    match severity_for(days, settings) {
        Some(severity) => Finding::fail(
            &META,
            subject,
            format!(
                "certificate for {host} expires in {days} day{plural} ({}); renew now and check auto-renewal",
                date(leaf.not_after)
            ),
        )
        .severity(severity)
        .evidence("validity", validity)
        .evidence(
            "thresholds",
            format!(
                "critical < {} d, high < {} d, medium < {} d",
                settings.expiry_critical_days, settings.expiry_high_days, settings.expiry_medium_days
            ),
        ),
        None => Finding::pass(
            &META,
            subject,
            format!("certificate for {host} expires in {days} day{plural} ({})", date(leaf.not_after)),
        )
        .evidence("validity", validity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_map_days_to_severities() {
        let settings = TlsSettings {
            extra_ca: None,
            expiry_critical_days: 7,
            expiry_high_days: 14,
            expiry_medium_days: 30,
            caa_issuer: None,
        };
        assert_eq!(severity_for(0, &settings), Some(Severity::Critical));
        assert_eq!(severity_for(6, &settings), Some(Severity::Critical));
        assert_eq!(severity_for(7, &settings), Some(Severity::High));
        assert_eq!(severity_for(13, &settings), Some(Severity::High));
        assert_eq!(severity_for(29, &settings), Some(Severity::Medium));
        assert_eq!(severity_for(30, &settings), None);
    }
}
