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

#[test]
fn alice_and_bob_chat_in_two_terminals() {
    if !tmux_available() {
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_acs-chat"));
    let dir = tempfile::tempdir().expect("tempdir");
    let emulator = start_emulator(&bin, &dir.path().join("emulator"), 0);
    let tmux = Tmux {
        socket: format!("acs-chat-e2e-{}", std::process::id()),
    };
    let (alice, bob) = session(&tmux, &bin, &dir.path().join("home"), &emulator);

    type_line(&tmux, &alice, "hello bob, from alice");
    tmux.wait_for(&bob, "hello bob, from alice", Duration::from_secs(15));
    type_line(&tmux, &bob, "hi alice, bob here");
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

/// The emulator dies mid-conversation: both clients show they are retrying, keep
/// composing, and when it comes back (same port, same data) deliver everything typed
/// meanwhile exactly once, without a restart. `ACS_CHAT_SOAK=1` keeps it down a minute.
#[test]
fn a_conversation_survives_the_emulator_going_down_and_coming_back() {
    if !tmux_available() {
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_acs-chat"));
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("emulator");
    let mut emulator = start_emulator(&bin, &data, 0);
    let tmux = Tmux {
        socket: format!("acs-chat-outage-{}", std::process::id()),
    };
    let (alice, bob) = session(&tmux, &bin, &dir.path().join("home"), &emulator);
    type_line(&tmux, &alice, "before the outage");
    tmux.wait_for(&bob, "before the outage", Duration::from_secs(15));

    emulator.child.kill().expect("kill -9 the emulator");
    emulator.child.wait().expect("reap");
    tmux.wait_for(&alice, "retrying", Duration::from_secs(15));
    tmux.wait_for(&bob, "retrying", Duration::from_secs(15));
    for i in 1..=3 {
        type_line(&tmux, &alice, &format!("alice offline {i}"));
        type_line(&tmux, &bob, &format!("bob offline {i}"));
    }
    tmux.wait_for(&alice, "alice offline 3", Duration::from_secs(5));
    if soak::full_mode() {
        std::thread::sleep(Duration::from_secs(60));
    }

    let port = emulator.port;
    let _back = start_emulator(&bin, &data, port);
    for i in 1..=3 {
        tmux.wait_for(&bob, &format!("alice offline {i}"), Duration::from_secs(30));
        tmux.wait_for(&alice, &format!("bob offline {i}"), Duration::from_secs(30));
    }
    tmux.wait_for(&alice, " ok ", Duration::from_secs(15));
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
