//! Flags a newcomer meets first: `--version`, and one name per concept across the
//! subcommands (the earlier names stay as aliases, so scripts keep working).

mod cli_common;

use cli_common::{Emulator, run};

#[test]
fn version_names_the_build_and_the_rest_api_versions() {
    let out = run(assert_cmd::Command::new(cli_common::bin()).arg("--version")).ok();
    let expected = format!(
        "acs-chat {} (Chat API {}, Identity API {})",
        env!("CARGO_PKG_VERSION"),
        acs_chat::acs::CHAT_API_VERSION,
        acs_chat::acs::IDENTITY_API_VERSION,
    );
    assert_eq!(out.trim_end(), expected);
}

/// The ids and display names of a thread's members, sorted.
fn members(emu: &Emulator, thread: &str) -> Vec<(String, String)> {
    let list = emu.json("alice", &["participant", "list", "--thread", thread]);
    let mut members: Vec<(String, String)> = list
        .as_array()
        .expect("a participant array")
        .iter()
        .map(|p| {
            (
                p["communicationIdentifier"]["rawId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                p["displayName"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    members.sort();
    members
}

#[test]
fn thread_create_takes_user_and_its_earlier_name_participant() {
    let emu = Emulator::start();
    let create = |flag: &str| {
        let v = emu.json(
            "alice",
            &["thread", "create", "--topic", "Flags", flag, "bob"],
        );
        v["chatThread"]["id"]
            .as_str()
            .expect("thread id")
            .to_owned()
    };
    let by_user = members(&emu, &create("--user"));
    let by_participant = members(&emu, &create("--participant"));
    assert_eq!(by_user.len(), 2, "{by_user:?}");
    assert!(by_user.iter().any(|(_, name)| name == "Bob"), "{by_user:?}");
    assert_eq!(by_user, by_participant);
}

#[test]
fn help_shows_the_one_name_and_its_alias() {
    let help =
        run(assert_cmd::Command::new(cli_common::bin()).args(["thread", "create", "--help"])).ok();
    assert!(help.contains("--user <NAME|ID>"), "{help}");
    assert!(help.contains("[alias: --participant]"), "{help}");
    let help = run(assert_cmd::Command::new(cli_common::bin()).args(["quickstart", "--help"])).ok();
    assert!(help.contains("--content <TEXT>"), "{help}");
    assert!(help.contains("[alias: --message]"), "{help}");
}
