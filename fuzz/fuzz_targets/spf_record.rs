//! Fuzzes the SPF parser, printer and macro expander (RFC 7208): no input panics, and every record
//! that parses prints to text that parses back to the same record.
//!
//! The parser module uses the standard library only, so it is compiled here on its own instead of
//! building the whole launchready crate with fuzzing instrumentation.

#![no_main]

use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;

#[path = "../../src/checks/email/spf/record.rs"]
#[allow(dead_code)]
mod record;

use record::{DomainSpec, MacroContext, MacroString, Record};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = record::is_spf(text);
    let v4: IpAddr = IpAddr::from([192, 0, 2, 3]);
    let v6: IpAddr = IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xcb01]);
    for candidate in [text.to_string(), format!("v=spf1 {text}")] {
        if let Ok(parsed) = Record::parse(&candidate) {
            let printed = parsed.to_string();
            let reparsed = Record::parse(&printed)
                .unwrap_or_else(|e| panic!("printed record {printed:?} does not parse: {e}"));
            assert_eq!(parsed, reparsed, "round trip of {candidate:?} via {printed:?}");
        }
    }
    for ip in [v4, v6] {
        let context = MacroContext {
            domain: "email.example.test",
            sender: Some("strong-bad@email.example.test"),
            ip: Some(ip),
            helo: Some("mx.example.test"),
            validated_name: None,
        };
        if let Ok(macros) = MacroString::parse(text, true) {
            let _ = macros.expand(&context);
            assert_eq!(MacroString::parse(&macros.to_string(), true), Ok(macros));
        }
        if let Ok(spec) = DomainSpec::parse(text) {
            let _ = spec.0.expand(&context);
        }
    }
});
