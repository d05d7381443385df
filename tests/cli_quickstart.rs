//! `acs-chat quickstart` end to end, and `--http-log` never holding a secret.

mod cli_common;

use cli_common::{Emulator, read, run};

#[test]
fn quickstart_narrates_every_step() {
    let emu = Emulator::start();
    let out = run(emu.cmd("alice").arg("quickstart")).ok();
    for step in 1..=5 {
        assert!(
            out.contains(&format!("Step {step}/5")),
            "missing step {step}:\n{out}"
        );
    }
    assert!(out.contains("POST /identities"), "{out}");
    assert!(out.contains("201 Created"), "{out}");
    assert!(out.contains("Alice (Admin) + Bob (User)"), "{out}");
    assert!(out.contains("clientMessageId"), "{out}");
    assert!(
        out.contains("Bob received \"Hello Bob\" from Alice"),
        "{out}"
    );
    assert!(out.contains("All 5 steps succeeded"), "{out}");
    assert!(!out.contains("eyJ"), "a token was printed:\n{out}");
}

#[test]
fn quickstart_json_and_verbose() {
    let emu = Emulator::start();
    let v = emu.json("alice", &["quickstart"]);
    let steps = v["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[2]["calls"][0]["status"], 201);
    assert!(
        steps[2]["result"]["threadId"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{v}"
    );
    assert_eq!(steps[4]["result"]["content"], "Hello Bob");

    let out = run(emu.cmd("alice").args(["quickstart", "--verbose"])).ok();
    assert!(
        out.contains("Authorization: Bearer [redacted]")
            || out.contains("authorization: Bearer [redacted]"),
        "{out}"
    );
    assert!(!out.contains("eyJ"), "a token was printed:\n{out}");
}

#[test]
fn quickstart_names_the_failed_step() {
    let emu = Emulator::start();
    let endpoint = emu
        .connection_string
        .split(';')
        .find_map(|p| p.strip_prefix("endpoint="))
        .expect("endpoint")
        .to_owned();
    let wrong = format!("endpoint={endpoint};accesskey=d3Jvbmcga2V5IHdyb25nIGtleQ==");
    let mut cmd = assert_cmd::Command::new(cli_common::bin());
    cmd.env("ACS_CHAT_HOME", emu.home())
        .env_remove("ACS_CONNECTION_STRING")
        .args(["--connection-string", &wrong, "--ca-cert"])
        .arg(&emu.ca_cert)
        .arg("quickstart");
    let err = run(&mut cmd).fails_with(3);
    assert!(
        err.contains("step 1 (create two users and their tokens) failed: 401"),
        "{err}"
    );
}

#[test]
fn http_log_records_everything_but_secrets() {
    let emu = Emulator::start();
    let log = emu.dir.path().join("http.log");
    let log_arg = log.to_string_lossy().into_owned();
    run(emu
        .cmd("alice")
        .args(["--http-log", &log_arg, "quickstart"]))
    .ok();
    let user = emu.json("alice", &["identity", "user", "create", "--scopes", "chat"]);
    let token = user["accessToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let uid = user["identity"]["id"].as_str().expect("id").to_owned();
    run(emu.cmd("alice").args([
        "--http-log",
        &log_arg,
        "identity",
        "token",
        "issue",
        "--user",
        &uid,
    ]))
    .ok();
    let id = emu.thread("alice", "Logged", &[]);
    run(emu.cmd("alice").args([
        "--http-log",
        &log_arg,
        "message",
        "send",
        "--thread",
        &id,
        "--content",
        "logged text",
    ]))
    .ok();

    let text = read(&log);
    assert!(text.contains("POST https://127.0.0.1:"), "{text}");
    assert!(text.contains("/chat/threads"), "{text}");
    assert!(text.contains("< 201 Created"), "{text}");
    assert!(text.contains("logged text"), "bodies are logged");
    let key = emu
        .connection_string
        .split(';')
        .find_map(|p| p.strip_prefix("accesskey="))
        .expect("key");
    assert!(!text.contains(key), "the access key leaked");
    assert!(!text.contains(&token), "a token leaked");
    assert!(!text.contains("eyJ"), "something JWT-shaped leaked");
    assert!(text.contains("[redacted]"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&log).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn pause_waits_for_enter_before_each_step() {
    let emu = Emulator::start();
    let ran = run(emu
        .cmd("alice")
        .args(["quickstart", "--pause"])
        .write_stdin("\n\n\n\n\n"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    for step in 1..=5 {
        assert!(
            ran.stderr
                .contains(&format!("Press Enter for step {step}/5")),
            "{}",
            ran.stderr
        );
    }
}

#[test]
fn http_log_as_json_lines() {
    let emu = Emulator::start();
    let log = emu.dir.path().join("http.jsonl");
    let log_arg = log.to_string_lossy().into_owned();
    run(emu.cmd("alice").args([
        "--http-log",
        &log_arg,
        "--http-log-format",
        "jsonl",
        "quickstart",
    ]))
    .ok();
    let text = read(&log);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["method"] == "POST" && l["status"] == 201),
        "{text}"
    );
    assert!(!text.contains("eyJ"), "something JWT-shaped leaked");
    let key = emu
        .connection_string
        .split(';')
        .find_map(|p| p.strip_prefix("accesskey="))
        .expect("key");
    assert!(!text.contains(key), "the access key leaked");
}
