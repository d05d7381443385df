//! The short/full mode switch every long-running test reads: `ACS_CHAT_SOAK=1` (or
//! `true`) selects the full mode. Anything else, `0` and `false` included, keeps the
//! short mode `cargo test` runs, so turning the soak off by value works as people expect.

/// True when `ACS_CHAT_SOAK` asks for the full mode.
pub fn full_mode() -> bool {
    is_on(std::env::var("ACS_CHAT_SOAK").ok().as_deref())
}

fn is_on(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("1" | "true"))
}

#[test]
fn only_one_and_true_switch_the_soak_on() {
    for on in ["1", "true", " 1 "] {
        assert!(is_on(Some(on)), "{on:?} should switch it on");
    }
    for off in ["0", "false", "", "yes", "2"] {
        assert!(!is_on(Some(off)), "{off:?} should leave it off");
    }
    assert!(!is_on(None));
}
