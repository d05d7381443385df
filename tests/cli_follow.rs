//! `message list --follow` picks up a message sent by another process and exits
//! cleanly on Ctrl-C (SIGINT).

#![cfg(unix)]

mod cli_common;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use cli_common::{Emulator, run};

#[test]
fn follow_prints_new_messages_as_json_lines() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Live", &["bob"]);
    emu.json("alice", &["message", "send", "--thread", &id, "--content", "before"]);

    let mut child = emu
        .std_cmd("bob")
        .args(["--output", "json", "message", "list", "--thread", &id, "--follow", "--interval", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start follower");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let next_text = |want: &str| -> serde_json::Value {
        loop {
            let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| panic!("no line with {want:?} in time"));
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
            if v["content"]["message"] == want {
                return v;
            }
        }
    };
    // The backlog first, then a message sent from another process.
    next_text("before");
    emu.json("alice", &["message", "send", "--thread", &id, "--content", "after"]);
    let after = next_text("after");
    assert_eq!(after["senderDisplayName"], "Alice");
    // An edit arrives too.
    let mid = after["id"].as_str().expect("id").to_owned();
    run(emu.cmd("alice").args(["message", "update", "--thread", &id, "--message", &mid, "--content", "after, edited"])).ok();
    next_text("after, edited");

    // Ctrl-C: a clean exit.
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill").args(["-INT", &pid]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "follower exit status {status:?}");
}
