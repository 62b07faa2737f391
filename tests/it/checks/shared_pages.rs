//! The domain and web-hardening family sends one GET per URL (`net::Pages`): the web checks that
//! read pages add no request to what the redirect checks already sent; and the demo shows the whole
//! family (the flawed world trips every check, the hardened one passes them all).

use std::sync::Arc;

use launchready::check::registry::CHECKS;
use launchready::check::runner::{self, RunOptions};
use launchready::demo::{DemoWorld, Variant};
use launchready::scorecard::Verdict;

/// Requests and distinct URLs fetched by one run of `only` against a fresh demo world.
async fn requests(variant: Variant, only: &[&str]) -> (u64, usize) {
    let world = DemoWorld::start(variant)
        .await
        .expect("the demo world starts");
    let target = launchready::config::load(&world.config_path, &world.env).expect("valid config");
    let net = Arc::new(launchready::net::Net::new(&target).expect("clients build"));
    let options = RunOptions {
        only: only.iter().map(|s| s.to_string()).collect(),
        ..RunOptions::default()
    };
    let rows = runner::run(CHECKS, Arc::new(target), net.clone(), &options).await;
    assert_eq!(rows.len(), only.len());
    (net.http.requests_sent(), net.pages.fetched().await)
}

const REDIRECTS: &[&str] = &["https-redirect", "canonical-host", "redirect-map"];
const FAMILY: &[&str] = &[
    "https-redirect",
    "canonical-host",
    "redirect-map",
    "security-headers",
    "cookie-flags",
    "version-disclosure",
    "mixed-content",
];

#[tokio::test]
async fn web_checks_reuse_the_pages_the_redirect_checks_fetched() {
    for variant in [Variant::Flawed, Variant::Hardened] {
        let (redirect_requests, redirect_walks) = requests(variant, REDIRECTS).await;
        let (family_requests, family_walks) = requests(variant, FAMILY).await;
        assert_eq!(
            (family_requests, family_walks),
            (redirect_requests, redirect_walks),
            "{variant:?}: the web checks sent requests of their own"
        );
        assert_eq!(
            family_requests, family_walks as u64,
            "{variant:?}: one GET per distinct URL"
        );
        let (alone, _) = requests(variant, &["security-headers"]).await;
        assert!(
            alone > 0 && alone < family_requests,
            "{variant:?}: {alone} vs {family_requests}"
        );
    }
}

#[tokio::test]
async fn the_flawed_demo_trips_every_check_of_the_family_and_the_hardened_one_passes() {
    let ids = [
        "dns-resolve",
        "dns-dangling-cname",
        "https-redirect",
        "canonical-host",
        "redirect-map",
        "security-headers",
        "cookie-flags",
        "version-disclosure",
        "mixed-content",
    ];
    let flawed = crate::support::audit_demo(Variant::Flawed, &ids, false).await;
    let hardened = crate::support::audit_demo(Variant::Hardened, &ids, false).await;
    for id in ids {
        assert_eq!(flawed.row(id).unwrap().verdict(), Verdict::Fail, "{id}");
        let row = hardened.row(id).unwrap();
        assert_eq!(row.verdict(), Verdict::Pass, "{id}: {:#?}", row.findings);
    }
}
