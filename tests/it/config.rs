//! Config errors through the real binary: exit 2 and every problem as file:line:col: key: message.

use crate::support::{code, launchready, run};

fn errors_of(case: &str) -> String {
    let path = format!("fixtures/config-errors/{case}.toml");
    let out = run(launchready()
        .args(["audit", "-c", &path])
        .env_remove("LAUNCHREADY_TEST_UNSET_TOKEN")
        .env_remove("LAUNCHREADY_TEST_UNSET_PW"));
    assert_eq!(
        code(&out),
        2,
        "{case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "no report on a config error");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

macro_rules! config_error_case {
    ($name:ident) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(
                stringify!($name),
                errors_of(
                    stringify!($name)
                        .trim_start_matches("case_")
                        .replace('_', "-")
                        .as_str()
                )
            );
        }
    };
}

config_error_case!(case_syntax);
config_error_case!(case_unknown_keys);
config_error_case!(case_types);
config_error_case!(case_urls);
config_error_case!(case_credentials);
config_error_case!(case_references);
config_error_case!(case_missing_target);
