//! MTA-STS policy and TXT record parsers: never panic; a parsed policy round-trips.
#![no_main]

use launchready::checks::email::mta_sts::{StsPolicy, StsRecord, mx_matches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = StsPolicy::parse(text) {
        let _ = policy.problems();
        assert_eq!(StsPolicy::parse(&policy.to_string()), Ok(policy));
    }
    if let Ok(record) = StsRecord::parse(text) {
        assert_eq!(StsRecord::parse(&record.to_string()), Ok(record));
    }
    let (pattern, host) = text.split_once('\n').unwrap_or((text, text));
    let _ = mx_matches(pattern, host);
});
