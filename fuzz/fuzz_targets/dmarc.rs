//! DMARC record parser: never panics; a parsed record prints to text that parses back to it.
#![no_main]

use launchready::checks::email::dmarc::{
    DmarcRecord, psl_organizational_domain, tree_walk_targets,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = DmarcRecord::parse(text) {
        assert_eq!(DmarcRecord::parse(&record.to_string()), Ok(record));
    }
    let targets = tree_walk_targets(text);
    assert!(targets.len() <= 8);
    let _ = psl_organizational_domain(text);
});
