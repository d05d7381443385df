//! `message`, `typing` and `receipt` subcommands against an emulator.

mod cli_common;

use cli_common::{Emulator, run};

#[test]
fn send_by_flag_argument_and_stdin_then_list_show_update_delete() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Chat", &["bob"]);

    let sent = emu.json(
        "alice",
        &[
            "message",
            "send",
            "--thread",
            &id,
            "--content",
            "Hello Bob",
            "--priority",
            "High",
        ],
    );
    let first = sent["id"].as_str().expect("message id").to_owned();
    let cmid = sent["clientMessageId"].as_str().expect("client message id");
    assert!(cmid.parse::<u64>().is_ok(), "{sent}");
    emu.json("bob", &["message", "send", "--thread", &id, "Hi Alice"]);
    let out = run(emu
        .cmd("alice")
        .args(["--output", "json", "message", "send", "--thread", &id])
        .write_stdin("from stdin\n"))
    .ok();
    assert!(out.contains("clientMessageId"), "{out}");

    // JSON: oldest first, text messages carry the seed's metadata.
    let list = emu.json("bob", &["message", "list", "--thread", &id]);
    assert_eq!(
        cli_common::texts(&list),
        ["Hello Bob", "Hi Alice", "from stdin"]
    );
    let hello = list
        .as_array()
        .and_then(|a| a.iter().find(|m| m["id"] == first.as_str()))
        .expect("first message");
    assert_eq!(hello["metadata"]["priority"], "High");
    assert_eq!(hello["metadata"]["clientMessageId"], cmid);
    assert_eq!(hello["senderDisplayName"], "Alice");

    // --limit keeps the newest.
    let two = emu.json("bob", &["message", "list", "--thread", &id, "--limit", "2"]);
    let texts: Vec<&str> = two
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["content"]["message"].as_str())
        .collect();
    assert_eq!(texts, ["Hi Alice", "from stdin"]);
    // --since in the future lists nothing; an age of an hour lists everything.
    assert_eq!(
        emu.json(
            "bob",
            &[
                "message",
                "list",
                "--thread",
                &id,
                "--since",
                "2999-01-01T00:00:00Z"
            ]
        ),
        serde_json::json!([])
    );
    assert_eq!(
        emu.json(
            "bob",
            &["message", "list", "--thread", &id, "--since", "1h"]
        )
        .as_array()
        .map(Vec::len),
        list.as_array().map(Vec::len)
    );

    // Table output.
    let table = run(emu.cmd("bob").args(["message", "list", "--thread", &id])).ok();
    let hello_row = table
        .lines()
        .find(|l| l.contains("Hello Bob"))
        .expect("row");
    assert!(
        hello_row.contains("Alice") && hello_row.contains("High"),
        "{table}"
    );

    let shown = emu.json(
        "bob",
        &["message", "show", "--thread", &id, "--message", &first],
    );
    assert_eq!(shown["content"]["message"], "Hello Bob");
    let table = run(emu
        .cmd("bob")
        .args(["message", "show", "--thread", &id, "--message", &first]))
    .ok();
    assert!(
        table.contains("clientMessageId:") && table.contains(cmid),
        "{table}"
    );

    run(emu.cmd("alice").args([
        "message",
        "update",
        "--thread",
        &id,
        "--message",
        &first,
        "--content",
        "Hello Bob!",
    ]))
    .ok();
    let shown = emu.json(
        "bob",
        &["message", "show", "--thread", &id, "--message", &first],
    );
    assert_eq!(shown["content"]["message"], "Hello Bob!");
    assert!(shown["editedOn"].is_string(), "{shown}");

    run(emu
        .cmd("alice")
        .args(["message", "delete", "--thread", &id, "--message", &first]))
    .ok();
    let table = run(emu
        .cmd("bob")
        .args(["message", "show", "--thread", &id, "--message", &first]))
    .ok();
    assert!(table.contains("(deleted)"), "{table}");
}

#[test]
fn empty_or_missing_content_is_a_usage_error() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Chat", &[]);
    let err = run(emu
        .cmd("alice")
        .args(["message", "send", "--thread", &id])
        .write_stdin("\n"))
    .fails_with(2);
    assert!(err.contains("empty"), "{err}");
    run(emu
        .cmd("alice")
        .args(["message", "send", "--thread", &id, "--content", "a", "b"]))
    .fails_with(2);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Chat", &[]);
    emu.json(
        "alice",
        &[
            "message",
            "send",
            "--thread",
            &id,
            "--content",
            "evil \u{1b}[2J clear \u{061C}arabic\u{FEFF}bom\u{2028}line\u{2029}para",
        ],
    );
    let table = run(emu.cmd("alice").args(["message", "list", "--thread", &id])).ok();
    // The same rule as the interactive client: sequences, BIDI marks and the BOM go,
    // line and paragraph separators show as line breaks.
    for c in ['\u{1b}', '\u{061C}', '\u{FEFF}', '\u{2028}', '\u{2029}'] {
        assert!(!table.contains(c), "{c:?} in {table:?}");
    }
    assert!(table.contains("evil  clear arabicbom⏎line⏎para"), "{table}");
}

#[test]
fn typing_and_read_receipts() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Chat", &["bob"]);
    let sent = emu.json(
        "alice",
        &["message", "send", "--thread", &id, "--content", "read me"],
    );
    let mid = sent["id"].as_str().expect("id").to_owned();

    run(emu.cmd("bob").args(["typing", "send", "--thread", &id])).ok();
    let v = emu.json("bob", &["typing", "send", "--thread", &id]);
    assert_eq!(v["typing"], true);

    run(emu
        .cmd("bob")
        .args(["receipt", "send", "--thread", &id, "--message", &mid]))
    .ok();
    let receipts = emu.json("alice", &["receipt", "list", "--thread", &id]);
    let r = receipts
        .as_array()
        .and_then(|a| a.iter().find(|r| r["chatMessageId"] == mid.as_str()))
        .expect("receipt");
    assert!(
        r["senderCommunicationIdentifier"]["rawId"]
            .as_str()
            .is_some_and(|s| s.starts_with("8:acs:")),
        "{receipts}"
    );
    let table = run(emu.cmd("alice").args(["receipt", "list", "--thread", &id])).ok();
    assert!(
        table.starts_with("READER") && table.contains(&mid),
        "{table}"
    );
}

#[test]
fn quiet_prints_nothing_on_success() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Chat", &[]);
    let out = run(emu.cmd("alice").args([
        "--quiet",
        "message",
        "send",
        "--thread",
        &id,
        "--content",
        "shh",
    ]))
    .ok();
    assert_eq!(out, "");
}

#[test]
fn list_follows_paging() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Long", &[]);
    for i in 0..12 {
        emu.json(
            "alice",
            &[
                "message",
                "send",
                "--thread",
                &id,
                "--content",
                &format!("m{i:02}"),
            ],
        );
    }
    let log = emu.dir.path().join("paging.log");
    let log_arg = log.to_string_lossy().into_owned();
    let list = emu.json(
        "alice",
        &[
            "--http-log",
            &log_arg,
            "message",
            "list",
            "--thread",
            &id,
            "--page-size",
            "5",
        ],
    );
    let expected: Vec<String> = (0..12).map(|i| format!("m{i:02}")).collect();
    assert_eq!(cli_common::texts(&list), expected);
    let text = cli_common::read(&log);
    let pages = text
        .lines()
        .filter(|l| l.starts_with("--- ") && l.contains("/messages") && l.contains(" GET "))
        .count();
    assert!(
        pages >= 3,
        "expected at least 3 pages of 5, saw {pages}:\n{text}"
    );
}

#[test]
fn each_line_sends_one_message_per_line_in_order() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Batch", &["bob"]);
    let out = run(emu
        .cmd("alice")
        .args([
            "--output",
            "json",
            "message",
            "send",
            "--thread",
            &id,
            "--each-line",
        ])
        .write_stdin("one\n\ntwo\nthree\n"))
    .ok();
    // JSON lines: one object per message sent, each with its own client message id.
    let sent: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(sent.len(), 3, "{out}");
    let cmids: std::collections::HashSet<&str> = sent
        .iter()
        .filter_map(|s| s["clientMessageId"].as_str())
        .collect();
    assert_eq!(cmids.len(), 3, "{out}");

    let list = emu.json("bob", &["message", "list", "--thread", &id]);
    assert_eq!(cli_common::texts(&list), ["one", "two", "three"]);
}
