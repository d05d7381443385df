//! The interactive client on push, against the real emulator: the real poller and push
//! task feed `App::update` through one channel. A message arrives with polling slowed
//! to minutes and no REST request in between, so only push explains it; typing shows
//! and clears; a removed participant's client stops cleanly.

mod common;
mod push_common;
mod tui_push_common;

use std::sync::Arc;

use acs_chat::acs::realtime::PushState;
use acs_chat::tui::app::{ConnectionState, Event, GoneReason};
use common::{Env, User, enc, ident};
use push_common::push_for;
use reqwest::Method;
use serde_json::json;
use tui_push_common::{Client, GLACIAL, Requests, chat_client};

/// Alice and Bob in a thread, Bob's client settled (push live, the poller asleep).
struct Setup {
    env: Env,
    alice: User,
    thread: String,
    bob: Client,
    /// Bob's REST requests.
    requests: Arc<Requests>,
}

async fn setup(topic: &str) -> Setup {
    let env = Env::start().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, topic, &[&bob]).await;
    let ca = env.emu.cert_pem.clone().expect("tls");
    let (chat, requests) = chat_client(&env.emu.endpoint, &ca, &bob.token);
    let mut client = Client::start(chat, &bob.id, GLACIAL, push_for(&env, &bob));
    client.settle(&thread).await;
    Setup {
        env,
        alice,
        thread,
        bob: client,
        requests,
    }
}

impl Setup {
    async fn alice_posts(&self, path: &str, body: serde_json::Value) {
        let r = self
            .env
            .chat(Method::POST, path, &self.alice.token, Some(body))
            .await;
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
}

#[tokio::test]
async fn a_message_arrives_by_push_while_polling_sleeps() {
    let Setup {
        env,
        alice,
        thread,
        bob: mut bob_tui,
        requests,
    } = setup("push").await;
    assert_eq!(bob_tui.app.push_label().as_deref(), Some("live"));
    bob_tui.route = false;

    let before = requests.get();
    env.send(&alice, &thread, "by push").await;
    let ev = bob_tui.step("the message shows").await;
    assert!(
        matches!(ev, Event::Pushed { .. }),
        "the first event: {ev:?}"
    );
    assert!(bob_tui.texts().contains(&"by push".to_owned()), "{ev:?}");
    assert_eq!(
        requests.get(),
        before,
        "no REST request: only push explains it"
    );
    bob_tui.stop_push().await;
}

#[tokio::test]
async fn typing_shows_by_push_and_goes_with_the_message() {
    let mut s = setup("typing").await;
    let typing = format!("/chat/threads/{}/typing", enc(&s.thread));
    s.alice_posts(&typing, json!({"senderDisplayName": "Alice"}))
        .await;
    s.bob
        .until("Alice is typing", |app| app.typing_names() == ["Alice"])
        .await;
    s.env.send(&s.alice, &s.thread, "done typing").await;
    s.bob
        .until("her message clears it", |app| app.typing_names().is_empty())
        .await;
    assert!(s.bob.texts().contains(&"done typing".to_owned()));
    s.bob.stop_push().await;
}

#[tokio::test]
async fn a_removed_participant_stops_cleanly() {
    let mut s = setup("leaving").await;
    let remove = format!("/chat/threads/{}/participants/:remove", enc(&s.thread));
    s.alice_posts(&remove, ident(&s.bob.app.profile.user_id))
        .await;
    let thread = s.thread.clone();
    s.bob
        .until("the thread is marked removed", |app| {
            app.threads
                .get(&thread)
                .is_some_and(|t| t.gone == Some(GoneReason::Removed))
        })
        .await;
    // The poller, asked at once, learns it too (403) and goes on without errors.
    loop {
        if let Event::Connection(state) = s.bob.step("a poll after the removal").await {
            assert!(matches!(state, ConnectionState::Ok { .. }), "{state:?}");
            break;
        }
    }
    assert_eq!(s.bob.app.push, Some(PushState::Live));
    s.bob.stop_push().await;
}
