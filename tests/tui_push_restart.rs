//! Catch-up after a reconnect: Bob's client (the real poller and push task) is live
//! when a real `acs-chat serve` is killed with SIGKILL and started again on the same
//! port and data; what Alice sends meanwhile and after arrives exactly once.

mod cli_common;
mod tui_push_common;

use acs_chat::acs::realtime::PushState;
use acs_chat::config::{ConfigFile, Resolved, Target};
use acs_chat::connect::{self, ConnectOptions, Session};
use acs_chat::paths::Dirs;
use acs_chat::tui::app::Event;
use acs_chat::wire::SendChatMessageRequest;
use cli_common::Emulator;
use tui_push_common::{Client, FAST};

async fn session(emu: &Emulator, profile: &str) -> Session {
    let resolved = Resolved {
        target: Target::ConnectionString(emu.connection_string.clone()),
        ca_cert: Some(emu.ca_cert.clone()),
        profile: profile.into(),
    };
    connect::connect(
        &resolved,
        &Dirs::under(emu.home()),
        &ConfigFile::default(),
        ConnectOptions::default(),
    )
    .await
    .expect("a session")
}

async fn send(alice: &Session, thread: &str, text: &str) {
    let request = SendChatMessageRequest {
        content: text.into(),
        ..SendChatMessageRequest::default()
    };
    alice
        .chat
        .thread(thread)
        .send_message(&request)
        .await
        .expect("sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_emulator_loses_and_doubles_nothing() {
    let mut emu = Emulator::start();
    let thread = tokio::task::block_in_place(|| emu.thread("alice", "restart", &["bob"]));
    let alice = session(&emu, "alice").await;
    let bob = session(&emu, "bob").await;
    let push = bob
        .push_client()
        .expect("push on")
        .start()
        .expect("push starts");
    let mut bob_tui = Client::start(bob.chat.clone(), &bob.user_id, FAST, push);
    bob_tui.settle(&thread).await;
    send(&alice, &thread, "one").await;
    bob_tui
        .until("the first message", |app| {
            app.open_thread().is_some_and(|t| !t.conv.is_empty())
        })
        .await;

    tokio::task::block_in_place(|| emu.kill_and_restart());
    // Sent while Bob's push is down or reconnecting.
    send(&alice, &thread, "two").await;
    send(&alice, &thread, "three").await;
    let mut was_down = false;
    loop {
        if let Event::PushState(state) = bob_tui.step("push back and caught up").await {
            was_down |= state != PushState::Live;
        }
        let caught_up = bob_tui.texts().iter().any(|t| t == "three");
        if was_down && caught_up && bob_tui.app.push == Some(PushState::Live) {
            break;
        }
    }
    send(&alice, &thread, "four").await;
    bob_tui
        .until("the message after the reconnect", |_| true)
        .await;
    while !bob_tui.texts().iter().any(|t| t == "four") {
        bob_tui.step("the message after the reconnect").await;
    }
    // Every catch-up asked for has run: nothing more is on its way.
    bob_tui.settle(&thread).await;
    assert_eq!(bob_tui.texts(), ["one", "two", "three", "four"]);
    bob_tui.stop_push().await;
}
