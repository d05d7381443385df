//! End to end, as a person would: a fresh emulator, two real `acs-chat` processes in
//! tmux as Alice and Bob, a message typed in one pane appearing in the other, and back.
//!
//! Needs tmux (`.ci/run` installs it). Without tmux the test fails, unless
//! `ACS_CHAT_SKIP_TMUX=1` says to skip it on purpose.

mod soak;
mod tmux_common;

use std::path::PathBuf;
use std::time::Duration;

use tmux_common::{Tmux, client_command, start_emulator, tmux_available, type_line};

fn session(
    tmux: &Tmux,
    bin: &std::path::Path,
    home: &std::path::Path,
    emulator: &tmux_common::Emulator,
) -> (String, String) {
    let alice = client_command(bin, home, emulator, "alice");
    let bob = client_command(bin, home, emulator, "bob");
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "chat",
        "-x",
        "100",
        "-y",
        "30",
        &alice,
    ]);
    tmux.run(&["split-window", "-h", "-t", "chat", &bob]);
    let (a, b) = ("chat:0.0".to_owned(), "chat:0.1".to_owned());
    tmux.wait_for(&a, "Quickstart", Duration::from_secs(30));
    tmux.wait_for(&b, "Quickstart", Duration::from_secs(30));
    (a, b)
}

/// Alice and Bob in tmux against their own emulator on a data dir that outlives it.
struct Chat {
    bin: PathBuf,
    dir: tempfile::TempDir,
    emulator: tmux_common::Emulator,
    tmux: Tmux,
    alice: String,
    bob: String,
}

impl Chat {
    /// None when tmux is missing and `ACS_CHAT_SKIP_TMUX` says to skip.
    fn start(name: &str) -> Option<Self> {
        if !tmux_available() {
            return None;
        }
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_acs-chat"));
        let dir = tempfile::tempdir().expect("tempdir");
        let emulator = start_emulator(&bin, &dir.path().join("emulator"), 0);
        let tmux = Tmux {
            socket: format!("acs-chat-{name}-{}", std::process::id()),
        };
        let (alice, bob) = session(&tmux, &bin, &dir.path().join("home"), &emulator);
        Some(Self {
            bin,
            dir,
            emulator,
            tmux,
            alice,
            bob,
        })
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Kills the emulator with SIGKILL and waits until both clients say they retry.
    fn emulator_down(&mut self) {
        self.emulator.child.kill().expect("kill -9 the emulator");
        self.emulator.child.wait().expect("reap");
        self.tmux
            .wait_for(&self.alice, "retrying", Duration::from_secs(15));
        self.tmux
            .wait_for(&self.bob, "retrying", Duration::from_secs(15));
    }

    /// The emulator again, on the same port and data.
    fn emulator_back(&self) -> tmux_common::Emulator {
        start_emulator(
            &self.bin,
            &self.dir.path().join("emulator"),
            self.emulator.port,
        )
    }
}

#[test]
fn alice_and_bob_chat_in_two_terminals() {
    let Some(chat) = Chat::start("e2e") else {
        return;
    };
    let (tmux, alice, bob) = (&chat.tmux, chat.alice.clone(), chat.bob.clone());
    type_line(tmux, &alice, "hello bob, from alice");
    tmux.wait_for(&bob, "hello bob, from alice", Duration::from_secs(15));
    type_line(tmux, &bob, "hi alice, bob here");
    tmux.wait_for(&alice, "hi alice, bob here", Duration::from_secs(15));
    // Each side shows the other's message exactly once.
    assert_eq!(
        tmux.capture(&alice).matches("hi alice, bob here").count(),
        1
    );
    assert_eq!(
        tmux.capture(&bob).matches("hello bob, from alice").count(),
        1
    );
}

/// Push end to end: Bob types without sending, and Alice's screen says so under her
/// messages; Bob sends, and the message reaches her while her status bar says `live`.
#[test]
fn bob_typing_shows_at_alice_and_his_message_arrives_live() {
    let Some(chat) = Chat::start("typing") else {
        return;
    };
    let (tmux, alice, bob) = (&chat.tmux, chat.alice.clone(), chat.bob.clone());
    tmux.wait_for(&alice, "● live", Duration::from_secs(20));
    tmux.wait_for(&bob, "● live", Duration::from_secs(20));
    tmux.run(&["send-keys", "-t", &bob, "-l", "typed while you watch"]);
    tmux.wait_for(&alice, "Bob is typing…", Duration::from_secs(15));
    tmux.run(&["send-keys", "-t", &bob, "Enter"]);
    tmux.wait_for(&alice, "typed while you watch", Duration::from_secs(15));
    let screen = tmux.capture(&alice);
    assert!(screen.contains("● live"), "{screen}");
    assert!(
        !screen.contains("is typing"),
        "his message ends it:\n{screen}"
    );
}

/// The emulator dies mid-conversation: both clients show they are retrying, keep
/// composing, and when it comes back (same port, same data) deliver everything typed
/// meanwhile exactly once, without a restart. `ACS_CHAT_SOAK=1` keeps it down a minute.
#[test]
fn a_conversation_survives_the_emulator_going_down_and_coming_back() {
    let Some(mut chat) = Chat::start("outage") else {
        return;
    };
    let (tmux, alice, bob) = (&chat.tmux, chat.alice.clone(), chat.bob.clone());
    type_line(tmux, &alice, "before the outage");
    tmux.wait_for(&bob, "before the outage", Duration::from_secs(15));

    chat.emulator_down();
    let tmux = &chat.tmux;
    for i in 1..=3 {
        type_line(tmux, &alice, &format!("alice offline {i}"));
        type_line(tmux, &bob, &format!("bob offline {i}"));
    }
    tmux.wait_for(&alice, "alice offline 3", Duration::from_secs(5));
    if soak::full_mode() {
        std::thread::sleep(Duration::from_secs(60));
    }

    let _back = chat.emulator_back();
    for i in 1..=3 {
        tmux.wait_for(&bob, &format!("alice offline {i}"), Duration::from_secs(30));
        tmux.wait_for(&alice, &format!("bob offline {i}"), Duration::from_secs(30));
    }
    // Healthy again, push reconnected.
    tmux.wait_for(&alice, "● live", Duration::from_secs(15));
    for pane in [&alice, &bob] {
        let screen = tmux.capture(pane);
        for i in 1..=3 {
            assert_eq!(
                screen.matches(&format!("alice offline {i}")).count(),
                1,
                "{screen}"
            );
            assert_eq!(
                screen.matches(&format!("bob offline {i}")).count(),
                1,
                "{screen}"
            );
        }
        assert!(!screen.contains("failed"), "{screen}");
    }
}

/// The outbox file of `profile` under the client's home, wherever the per-endpoint
/// state directory puts it.
fn outbox_file(dir: &std::path::Path, profile: &str) -> Option<PathBuf> {
    let name = format!("{profile}.outbox.json");
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = outbox_file(&path, profile) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name.as_str()) {
            return Some(path);
        }
    }
    None
}

/// Polls `check` every 50 ms until it holds, up to `timeout`; panics with `what`.
fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A real client process is killed with SIGKILL while its sender is retrying three
/// messages (the emulator is down): the outbox on disk holds all three, and the next
/// start of the client sends each exactly once.
#[test]
fn a_killed_client_sends_its_outbox_on_the_next_start() {
    let Some(mut chat) = Chat::start("kill") else {
        return;
    };
    let (tmux, alice, bob) = (&chat.tmux, chat.alice.clone(), chat.bob.clone());
    // Keep Alice's pane after her process dies, to start her again in it.
    tmux.run(&["set-option", "-t", "chat", "remain-on-exit", "on"]);
    type_line(tmux, &alice, "before the kill");
    tmux.wait_for(&bob, "before the kill", Duration::from_secs(15));

    chat.emulator_down();
    let (tmux, home) = (&chat.tmux, chat.home());
    let queued = ["queued one", "queued two", "queued three"];
    for text in queued {
        type_line(tmux, &alice, text);
    }
    let on_disk = || {
        outbox_file(&home, "alice")
            .and_then(|f| std::fs::read_to_string(f).ok())
            .unwrap_or_default()
    };
    wait_until(
        "the outbox file holds the queued messages",
        Duration::from_secs(15),
        || queued.iter().all(|t| on_disk().contains(t)),
    );

    let pid = tmux.run(&["display-message", "-p", "-t", &alice, "#{pane_pid}"]);
    let pid = pid.trim();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "acs-chat", "pane {alice} runs pid {pid:?}");
    let killed = std::process::Command::new("kill")
        .args(["-KILL", pid])
        .status()
        .expect("run kill");
    assert!(killed.success(), "kill -KILL {pid}");
    wait_until(
        "the killed client's pane is dead",
        Duration::from_secs(15),
        || {
            tmux.run(&["display-message", "-p", "-t", &alice, "#{pane_dead}"])
                .trim()
                == "1"
        },
    );
    let left = on_disk();
    for text in queued {
        assert_eq!(
            left.matches(text).count(),
            1,
            "outbox after the kill: {left}"
        );
    }

    let _back = chat.emulator_back();
    let again = tmux_common::client_command(&chat.bin, &home, &chat.emulator, "alice");
    tmux.run(&["respawn-pane", "-t", &alice, &again]);
    for text in queued {
        tmux.wait_for(&bob, text, Duration::from_secs(30));
    }
    wait_until(
        "the outbox empties once sent",
        Duration::from_secs(15),
        || !queued.iter().any(|t| on_disk().contains(t)),
    );
    for pane in [&alice, &bob] {
        let screen = tmux.capture(pane);
        for text in queued {
            assert_eq!(screen.matches(text).count(), 1, "{screen}");
        }
        assert!(!screen.contains("failed"), "{screen}");
    }
}
