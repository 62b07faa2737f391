//! DKIM key record parser and key decoder: never panic; a parsed record round-trips.
#![no_main]

use launchready::checks::email::dkim::{DkimKey, looks_like_hostname};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = DkimKey::parse(text) {
        let _ = key.decode();
        assert_eq!(DkimKey::parse(&key.to_string()), Ok(key));
    }
    let _ = looks_like_hostname(text);
});
