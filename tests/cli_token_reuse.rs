//! Scripting commands use a cached token that is still valid instead of asking
//! Identity for a new one each time, and still find their way when the endpoint no
//! longer knows the user: a reset local emulator (new data directory, new CA) is
//! noticed before any request, and a deleted user is forgotten with a clear error.

mod cli_common;

use cli_common::{Emulator, read, run};

/// The requests of one command, from its `--http-log`.
fn requests(emulator: &Emulator, home: &std::path::Path, profile: &str, args: &[&str]) -> String {
    std::fs::create_dir_all(home).expect("home");
    let log = home.join(format!("http-{}.log", next_log_number()));
    let log_arg = log.to_str().expect("utf-8 path").to_owned();
    run(emulator
        .cmd(profile)
        .env("ACS_CHAT_HOME", home)
        .args(["--http-log", &log_arg])
        .args(args))
    .ok();
    read(&log)
}

fn next_log_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The user id cached for `profile` under `home` (`None` once forgotten).
fn cached_user_id(home: &std::path::Path, profile: &str) -> Option<String> {
    let endpoints = std::fs::read_dir(home.join("state").join("identities")).ok()?;
    endpoints.filter_map(Result::ok).find_map(|endpoint| {
        let text = std::fs::read_to_string(endpoint.path().join(format!("{profile}.json"))).ok()?;
        let entry: serde_json::Value = serde_json::from_str(&text).ok()?;
        entry["userId"].as_str().map(str::to_owned)
    })
}

#[test]
fn the_second_command_asks_identity_for_nothing() {
    let emulator = Emulator::start();
    let home = emulator.home();
    let first = requests(&emulator, &home, "amy", &["thread", "list"]);
    assert!(
        first.contains("/identities"),
        "the first run creates amy:\n{first}"
    );
    let second = requests(&emulator, &home, "amy", &["thread", "list"]);
    assert!(second.contains("/chat/threads"), "{second}");
    assert!(
        !second.contains("/identities"),
        "a valid cached token was not reused:\n{second}"
    );
}

#[test]
fn a_reset_emulator_on_the_same_port_is_noticed_before_any_request() {
    let home = tempfile::tempdir().expect("home");
    let before = Emulator::start();
    let port = before
        .connection_string
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("port in the connection string")
        .to_owned();
    run(before.cmd("amy").env("ACS_CHAT_HOME", home.path()).args([
        "thread",
        "create",
        "--topic",
        "before the reset",
    ]))
    .ok();
    drop(before);
    // The same endpoint, a new data directory: a new certificate and an empty database.
    let after = Emulator::start_with(&["--port", &port]);
    let log = requests(
        &after,
        home.path(),
        "amy",
        &["thread", "create", "--topic", "after"],
    );
    assert!(
        log.contains("/identities"),
        "the cached identity was trusted against a new emulator:\n{log}"
    );
    let listed = run(after
        .cmd("amy")
        .env("ACS_CHAT_HOME", home.path())
        .args(["-o", "json", "thread", "list"]))
    .ok();
    assert!(
        listed.contains("after") && !listed.contains("before the reset"),
        "{listed}"
    );
}

#[test]
fn a_deleted_user_is_forgotten_with_a_clear_error_and_made_anew_next_time() {
    let emulator = Emulator::start();
    let home = emulator.home();
    run(emulator.cmd("amy").args(["thread", "list"])).ok();
    let id = cached_user_id(&home, "amy").expect("amy is cached");
    run(emulator
        .cmd("ben")
        .args(["identity", "user", "delete", "--user", &id]))
    .ok();
    let err = run(emulator.cmd("amy").args(["thread", "list"])).fails_with(3);
    assert!(
        err.contains("no longer knows profile 'amy'"),
        "unclear error: {err}"
    );
    assert_eq!(
        cached_user_id(&home, "amy"),
        None,
        "the deleted user is still cached"
    );
    // The next run creates a new amy and works.
    run(emulator.cmd("amy").args(["thread", "list"])).ok();
    let again = cached_user_id(&home, "amy").expect("a new amy");
    assert_ne!(again, id);
}
