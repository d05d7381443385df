//! `thread` and `participant` subcommands against an emulator, in both output formats.

mod cli_common;

use cli_common::{Emulator, run};

#[test]
fn thread_create_list_show_update_delete() {
    let emu = Emulator::start();
    let created = emu.json(
        "alice",
        &["thread", "create", "--topic", "Planning", "--user", "bob"],
    );
    let id = created["chatThread"]["id"].as_str().expect("id").to_owned();
    assert_eq!(created["chatThread"]["topic"], "Planning");

    // Bob sees it in his list (json array of thread items).
    let list = emu.json("bob", &["thread", "list"]);
    let items = list.as_array().expect("array");
    assert!(
        items
            .iter()
            .any(|t| t["id"] == id.as_str() && t["topic"] == "Planning"),
        "{list}"
    );

    // Table output for people: a header and the topic.
    let table = run(emu.cmd("alice").args(["thread", "list"])).ok();
    assert!(
        table.starts_with("ID ") && table.contains("TOPIC") && table.contains("Planning"),
        "{table}"
    );

    run(emu.cmd("alice").args([
        "thread",
        "update-topic",
        "--thread",
        &id,
        "--topic",
        "Plans v2",
    ]))
    .ok();
    let shown = emu.json("bob", &["thread", "show", "--thread", &id]);
    assert_eq!(shown["topic"], "Plans v2");
    let table = run(emu.cmd("bob").args(["thread", "show", "--thread", &id])).ok();
    assert!(
        table.contains("topic:") && table.contains("Plans v2") && table.contains("sticky:"),
        "{table}"
    );

    run(emu.cmd("alice").args(["thread", "delete", "--thread", &id])).ok();
    let list = emu.json("alice", &["thread", "list"]);
    let gone = list
        .as_array()
        .expect("array")
        .iter()
        .all(|t| t["id"] != id.as_str() || !t["deletedOn"].is_null());
    assert!(gone, "{list}");
}

#[test]
fn participants_add_list_remove_with_roles() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Team", &["bob"]);
    run(emu
        .cmd("alice")
        .args(["participant", "add", "--thread", &id, "--user", "carol"]))
    .ok();

    let names = emu.participant_names("alice", &id);
    assert!(
        ["Alice", "Bob", "Carol"]
            .iter()
            .all(|n| names.iter().any(|m| m == n)),
        "{names:?}"
    );

    // Roles: the creator is Admin, the others User.
    let text = run(emu
        .cmd("alice")
        .args(["participant", "list", "--thread", &id]))
    .ok();
    let alice_line = text
        .lines()
        .find(|l| l.contains("Alice"))
        .expect("alice row");
    let carol_line = text
        .lines()
        .find(|l| l.contains("Carol"))
        .expect("carol row");
    assert!(alice_line.trim_end().ends_with("Admin"), "{text}");
    assert!(carol_line.trim_end().ends_with("User"), "{text}");

    run(emu
        .cmd("alice")
        .args(["participant", "remove", "--thread", &id, "--user", "carol"]))
    .ok();
    let list = emu.json("alice", &["participant", "list", "--thread", &id]);
    assert!(!list.to_string().contains("Carol"), "{list}");
    // Carol is no longer a member: her reads are refused (exit 3, forbidden).
    run(emu.cmd("carol").args(["thread", "show", "--thread", &id])).fails_with(3);
}

#[test]
fn sticky_threads_refuse_member_changes() {
    let emu = Emulator::start();
    let v = emu.json(
        "alice",
        &[
            "thread",
            "create",
            "--topic",
            "Fixed",
            "--participant",
            "bob",
            "--sticky",
        ],
    );
    let id = v["chatThread"]["id"].as_str().expect("id").to_owned();
    let err =
        run(emu
            .cmd("alice")
            .args(["participant", "add", "--thread", &id, "--user", "carol"]))
        .fails_with(1);
    assert!(err.contains("sticky"), "{err}");
    let list = emu.json("alice", &["participant", "list", "--thread", &id]);
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
}
