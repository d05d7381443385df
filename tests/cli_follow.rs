//! `message list --follow` picks up a message sent by another process and exits
//! cleanly on Ctrl-C (SIGINT), also one that arrives while a poll is in flight; with
//! push, it does so with polling slowed to a safety net.

#![cfg(unix)]

mod cli_common;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use cli_common::{Emulator, fake_token, run, scripted_server};

#[test]
fn follow_prints_new_messages_as_json_lines() {
    let (emu, id, mut child, next_text) = following("50");
    emu.json(
        "alice",
        &["message", "send", "--thread", &id, "--content", "after"],
    );
    let after = next_text("after");
    assert_eq!(after["senderDisplayName"], "Alice");
    // An edit arrives too.
    let mid = after["id"].as_str().expect("id").to_owned();
    edit(&emu, &id, &mid, "after, edited");
    next_text("after, edited");

    // Ctrl-C: a clean exit.
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "follower exit status {status:?}");
}

#[test]
fn follow_stops_when_its_reader_goes_away() {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Piped", &[]);
    emu.json(
        "alice",
        &["message", "send", "--thread", &id, "--content", "one"],
    );
    let mut child = emu
        .std_cmd("alice")
        .args([
            "message",
            "list",
            "--thread",
            &id,
            "--follow",
            "--interval",
            "50",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start follower");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut header = String::new();
    reader.read_line(&mut header).expect("header line");
    assert!(header.starts_with("ID"), "{header}");
    // `| head -1`: the reader leaves; the next message must end the follower.
    drop(reader);
    emu.json(
        "alice",
        &["message", "send", "--thread", &id, "--content", "two"],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            assert_eq!(status.code(), Some(0));
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the follower kept running after its reader closed the pipe");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_c_during_a_poll_exits_promptly() {
    // A service that answers the backlog listing, then holds every later request (the
    // follower's polls) far longer than the test waits, saying when one is in flight.
    let (in_flight_tx, in_flight) = mpsc::channel::<()>();
    let in_flight_tx = std::sync::Mutex::new(in_flight_tx);
    let lists = std::sync::atomic::AtomicUsize::new(0);
    let endpoint = scripted_server(move |r| {
        if r.method == "GET" && r.path.contains("/messages") {
            let n = lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n > 0 {
                let _ = in_flight_tx.lock().map(|tx| tx.send(()));
                std::thread::sleep(Duration::from_secs(300));
            }
        }
        (200, r#"{"value":[]}"#.to_owned())
    });
    let home = tempfile::tempdir().expect("temp dir");
    let mut child = std::process::Command::new(cli_common::bin())
        .env("ACS_CHAT_HOME", home.path())
        .env_remove("ACS_CONNECTION_STRING")
        .args(["--endpoint", &endpoint, "--token", &fake_token()])
        .args(["message", "list", "--thread", "19:t@thread.v2", "--follow"])
        .args(["--interval", "50"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start follower");
    if in_flight.recv_timeout(Duration::from_secs(20)).is_err() {
        let _ = child.kill();
        panic!("the follower never polled");
    }
    let pid = child.id();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    match done.recv_timeout(Duration::from_secs(10)) {
        Ok(status) => assert_eq!(status.expect("wait").code(), Some(0)),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("Ctrl-C during a poll was lost: the follower kept running");
        }
    }
}

/// A thread of Alice and Bob with one message, and Bob following it (every
/// `interval` ms) once that backlog message is printed.
fn following(
    interval: &str,
) -> (
    Emulator,
    String,
    std::process::Child,
    impl Fn(&str) -> serde_json::Value + use<>,
) {
    let emu = Emulator::start();
    let id = emu.thread("alice", "Live", &["bob"]);
    emu.json(
        "alice",
        &["message", "send", "--thread", &id, "--content", "before"],
    );
    let (child, next_text) = json_follower(&emu, &id, interval);
    // The backlog first, then messages sent from another process.
    next_text("before");
    (emu, id, child, next_text)
}

/// Bob following `id` as JSON lines every `interval` ms, and a reader of its lines
/// that waits (at most 15 s) for the one with the given text.
fn json_follower(
    emu: &Emulator,
    id: &str,
    interval: &str,
) -> (
    std::process::Child,
    impl Fn(&str) -> serde_json::Value + use<>,
) {
    let mut child = emu
        .std_cmd("bob")
        .args(["--output", "json", "message", "list", "--thread", id])
        .args(["--follow", "--interval", interval])
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
    let next_text = move |want: &str| -> serde_json::Value {
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(15))
                .unwrap_or_else(|_| panic!("no line with {want:?} in time"));
            let v: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
            if v["content"]["message"] == want {
                return v;
            }
        }
    };
    (child, next_text)
}

/// Polling slowed to once a minute: only push (its event, or the catch-up poll when
/// it goes live) can explain a message and its edit arriving within seconds.
#[test]
fn follow_delivers_by_push_with_polling_slowed_to_a_minute() {
    let (emu, id, mut child, next_text) = following("60000");
    let sent = emu.json(
        "alice",
        &["message", "send", "--thread", &id, "--content", "after"],
    );
    let after = next_text("after");
    assert_eq!(after["id"], sent["id"]);
    let mid = after["id"].as_str().expect("id").to_owned();
    edit(&emu, &id, &mid, "edited");
    next_text("edited");
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("push unavailable"), "{stderr}");
}

/// Alice edits message `mid` of thread `id`.
fn edit(emu: &Emulator, id: &str, mid: &str, text: &str) {
    let args = ["message", "update", "--thread", id, "--message", mid];
    run(emu.cmd("alice").args(args).args(["--content", text])).ok();
}

/// Bob removed from the thread he follows: the follower says so on stderr, naming the
/// thread, and exits with the auth code (3: the service now refuses him the thread),
/// promptly (push tells it at once; polling is slowed to a minute).
#[test]
fn follow_ends_clearly_when_its_user_is_removed() {
    let (emu, id, child, _) = following("60000");
    emu.json(
        "alice",
        &["participant", "remove", "--thread", &id, "--user", "bob"],
    );
    let (code, last) = exit_and_last_line(child);
    assert_eq!(code, Some(3), "{last}");
    assert!(
        last.starts_with(&format!(
            "acs-chat: no longer a participant of thread {id}: 403"
        )),
        "{last}"
    );
}

/// The thread deleted under the follower: the same, with the not-found code (4).
#[test]
fn follow_ends_clearly_when_its_thread_is_deleted() {
    let (emu, id, child, _) = following("60000");
    emu.json("alice", &["thread", "delete", "--thread", &id]);
    let (code, last) = exit_and_last_line(child);
    assert_eq!(code, Some(4), "{last}");
    assert!(
        last.starts_with(&format!("acs-chat: thread {id} no longer exists: 404")),
        "{last}"
    );
}

/// Waits (at most 20 s) for the follower to exit by itself; its exit code and the
/// last line of its stderr.
fn exit_and_last_line(mut child: std::process::Child) -> (Option<i32>, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the follower kept running after the thread was taken from it");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).expect("stderr read");
    }
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    (status.code(), last)
}
