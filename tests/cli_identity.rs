//! `identity` subcommands against an emulator.

mod cli_common;

use cli_common::{Emulator, run};

#[test]
fn users_and_tokens() {
    let emu = Emulator::start();
    let plain = emu.json("alice", &["identity", "user", "create"]);
    let user = plain["identity"]["id"].as_str().expect("id").to_owned();
    assert!(user.starts_with("8:acs:"), "{plain}");
    assert!(plain.get("accessToken").is_none(), "{plain}");

    let with_token = emu.json(
        "alice",
        &[
            "identity",
            "user",
            "create",
            "--scopes",
            "chat,voip",
            "--expires-in",
            "60",
        ],
    );
    assert!(
        with_token["accessToken"]["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3),
        "{with_token}"
    );
    assert!(
        with_token["accessToken"]["expiresOn"].is_string(),
        "{with_token}"
    );

    let token = emu.json(
        "alice",
        &[
            "identity", "token", "issue", "--user", &user, "--scopes", "chat",
        ],
    );
    let token = token["token"].as_str().expect("token").to_owned();

    // The token works as endpoint + token...
    let endpoint = emu
        .connection_string
        .split(';')
        .find_map(|p| p.strip_prefix("endpoint="))
        .expect("endpoint")
        .to_owned();
    let as_user = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::new(cli_common::bin());
        cmd.env("ACS_CHAT_HOME", emu.home())
            .env_remove("ACS_CONNECTION_STRING")
            .env_remove("COMMUNICATION_SERVICES_CONNECTION_STRING")
            .args(["--endpoint", &endpoint, "--token", &token, "--ca-cert"])
            .arg(&emu.ca_cert)
            .args(args);
        run(&mut cmd)
    };
    as_user(&["thread", "list"]).ok();
    // ... until revoked: then it is an auth failure (exit 3).
    run(emu
        .cmd("alice")
        .args(["identity", "token", "revoke", "--user", &user]))
    .ok();
    let err = as_user(&["thread", "list"]).fails_with(3);
    assert!(err.contains("401"), "{err}");
    // Identity cannot be managed with endpoint + token.
    as_user(&["identity", "user", "create"]).fails_with(2);

    let table = run(emu
        .cmd("alice")
        .args(["identity", "user", "delete", "--user", &user]))
    .ok();
    assert!(
        table.contains("deleted:") && table.contains(&user),
        "{table}"
    );
}

#[test]
fn bad_expiry_is_a_usage_error() {
    let emu = Emulator::start();
    run(emu.cmd("alice").args([
        "identity",
        "user",
        "create",
        "--scopes",
        "chat",
        "--expires-in",
        "5",
    ]))
    .fails_with(2);
    run(emu
        .cmd("alice")
        .args(["identity", "user", "create", "--scopes", "email"]))
    .fails_with(2);
}
