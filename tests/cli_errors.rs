//! Exit codes per error class, the error line on stderr, `--help` and completions.

mod cli_common;

use cli_common::{Emulator, bin, canned_server, closed_port, fake_token, run};

fn acs_chat() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    for var in [
        "ACS_CONNECTION_STRING",
        "COMMUNICATION_SERVICES_CONNECTION_STRING",
        "ACS_ENDPOINT",
        "ACS_TOKEN",
        "ACS_CA_CERT",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// `acs-chat --endpoint URL --token T <args>` with a private home.
fn against(endpoint: &str, home: &std::path::Path, args: &[&str]) -> cli_common::Ran {
    run(acs_chat()
        .env("ACS_CHAT_HOME", home)
        .args(["--endpoint", endpoint, "--token", &fake_token()])
        .args(args))
}

#[test]
fn not_found_is_4_with_code_and_request_id() {
    let emu = Emulator::start();
    let err = run(emu
        .cmd("alice")
        .args(["thread", "show", "--thread", "19:nothing@thread.v2"]))
    .fails_with(4);
    assert!(err.starts_with("acs-chat: 404"), "{err}");
    assert!(err.contains("request id"), "{err}");
}

#[test]
fn bad_access_key_is_an_auth_failure() {
    let emu = Emulator::start();
    let endpoint = emu
        .connection_string
        .split(';')
        .find_map(|p| p.strip_prefix("endpoint="))
        .expect("endpoint")
        .to_owned();
    let wrong = format!("endpoint={endpoint};accesskey=d3Jvbmcga2V5IHdyb25nIGtleQ==");
    let err = run(acs_chat()
        .env("ACS_CHAT_HOME", emu.home())
        .args(["--connection-string", &wrong, "--ca-cert"])
        .arg(&emu.ca_cert)
        .args(["identity", "user", "create"]))
    .fails_with(3);
    assert!(err.contains("401"), "{err}");
}

#[test]
fn throttled_is_5_and_other_refusals_1() {
    let home = tempfile::tempdir().expect("temp");
    let throttled = canned_server(429, "TooManyRequests");
    let err = against(
        &throttled,
        home.path(),
        &["thread", "show", "--thread", "19:a@thread.v2"],
    )
    .fails_with(5);
    assert!(err.contains("429 TooManyRequests"), "{err}");
    let refused = canned_server(400, "BadRequest");
    let err = against(
        &refused,
        home.path(),
        &["thread", "show", "--thread", "19:a@thread.v2"],
    )
    .fails_with(1);
    assert!(err.contains("400 BadRequest: canned 400"), "{err}");
}

#[test]
fn network_failure_is_6() {
    let home = tempfile::tempdir().expect("temp");
    let endpoint = format!("http://127.0.0.1:{}/", closed_port());
    against(&endpoint, home.path(), &["thread", "list"]).fails_with(6);
}

#[test]
fn usage_errors_are_2() {
    let home = tempfile::tempdir().expect("temp");
    // clap: a missing required flag.
    run(acs_chat()
        .env("ACS_CHAT_HOME", home.path())
        .args(["message", "send", "--content", "x"]))
    .fails_with(2);
    // Ours: --endpoint without --token, and a bad --since.
    run(acs_chat().env("ACS_CHAT_HOME", home.path()).args([
        "--endpoint",
        "https://x/",
        "thread",
        "list",
    ]))
    .fails_with(2);
    let endpoint = canned_server(200, "unused");
    let err = against(
        &endpoint,
        home.path(),
        &["message", "list", "--thread", "t", "--since", "soon"],
    )
    .fails_with(2);
    assert!(err.contains("--since"), "{err}");
}

/// Numbers on the command line that overflow or leave their range are usage errors
/// naming the flag, never a panic (exit 101).
#[test]
fn out_of_range_numbers_are_usage_errors() {
    let home = tempfile::tempdir().expect("temp");
    let endpoint = canned_server(200, "unused");
    let list = ["message", "list", "--thread", "t"];
    let cases: &[(&[&str], &str)] = &[
        (&["--since", "999999999999999999d"], "--since"),
        (&["--since", "99999999999999999999s"], "--since"),
        (&["--since", "9999-12-31T23:59:59-23:59"], "--since"),
        (&["--limit", "99999999999999999999999"], "--limit"),
        (&["--page-size", "0"], "--page-size"),
        (&["--page-size", "4294967296"], "--page-size"),
        (&["--interval", "18446744073709551616"], "--interval"),
    ];
    for (extra, flag) in cases {
        let args: Vec<&str> = list.iter().chain(extra.iter()).copied().collect();
        let err = against(&endpoint, home.path(), &args).fails_with(2);
        assert!(err.contains(flag), "{extra:?}: {err}");
    }
    let err = against(
        &endpoint,
        home.path(),
        &["identity", "token", "issue", "--expires-in", "99999999999"],
    )
    .fails_with(2);
    assert!(err.contains("--expires-in"), "{err}");
    for extra in [
        ["--port", "65536"],
        ["--idle-timeout", "18446744073709551616"],
    ] {
        let err = run(acs_chat()
            .env("ACS_CHAT_HOME", home.path())
            .arg("serve")
            .args(extra))
        .fails_with(2);
        assert!(err.contains(extra[0]), "{extra:?}: {err}");
    }
}

#[test]
fn help_documents_exit_codes() {
    let out = run(acs_chat().arg("--help")).ok();
    for line in [
        "Exit codes:",
        "3  authentication",
        "4  not found",
        "5  throttled",
        "6  network",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _acs__chat"),
        ("zsh", "#compdef acs-chat"),
        ("fish", "complete -c acs-chat"),
    ] {
        let out = run(acs_chat().args(["completions", shell])).ok();
        assert!(
            out.contains(marker),
            "{shell}: {}",
            &out[..out.len().min(300)]
        );
        assert!(out.contains("quickstart"), "{shell} completes subcommands");
    }
}

#[test]
fn unwritable_http_log_is_a_usage_error() {
    let home = tempfile::tempdir().expect("temp");
    let missing = home.path().join("no-such-dir").join("http.log");
    let err = run(acs_chat()
        .env("ACS_CHAT_HOME", home.path())
        .arg("--http-log")
        .arg(&missing)
        .args(["thread", "list"]))
    .fails_with(2);
    assert!(err.contains("cannot open the HTTP log"), "{err}");
}

/// A bad `--since` is refused before anything is reached: with a connection string
/// whose endpoint nothing answers, the usage error (2) comes, not the network's (6).
#[test]
fn a_bad_since_is_refused_before_the_endpoint_is_reached() {
    let home = tempfile::tempdir().expect("temp");
    let nowhere = format!(
        "endpoint=https://127.0.0.1:{}/;accesskey=a2V5",
        closed_port()
    );
    let err = run(acs_chat()
        .env("ACS_CHAT_HOME", home.path())
        .args(["--connection-string", &nowhere, "--as", "alice"])
        .args([
            "message",
            "list",
            "--thread",
            "t",
            "--since",
            "999999999999999999d",
        ]))
    .fails_with(2);
    assert!(err.contains("--since"), "{err}");
}
