//! Two interactive clients on one profile: each holds an outbox file of its own under an
//! OS lock, so neither sends the other's messages, and the outbox a crashed client left
//! is taken over by the next one to start. The "clients" are two real lock holders in
//! this process (the lock is per open file, as between processes).

mod cli_common;

use acs_chat::acs::{ChatClient, HttpConfig, TokenCredential, Transport};
use acs_chat::tui::app::{Event, PendingSend, Priority};
use acs_chat::tui::outbox;
use tokio::sync::mpsc;
use url::Url;

/// A client whose sends never get through (nothing listens), so queued entries stay.
fn chat() -> ChatClient {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let endpoint =
        Url::parse(&format!("http://127.0.0.1:{}/", cli_common::closed_port())).expect("endpoint");
    ChatClient::new(
        endpoint,
        TokenCredential::from_token(cli_common::fake_token()).expect("token"),
        Transport::new(HttpConfig::default()).expect("transport"),
    )
}

fn pending(id: &str) -> PendingSend {
    PendingSend {
        thread_id: "19:t@thread.v2".into(),
        client_message_id: id.into(),
        content: format!("message {id}"),
        priority: Priority::Normal,
        display_name: "Alice".into(),
        created_at: time::OffsetDateTime::UNIX_EPOCH,
    }
}

/// An outbox file as a client leaves it: these sends in flight.
fn write_outbox(path: &std::path::Path, ids: &[&str]) {
    let entries: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({ "send": pending(id), "attempted": true }))
        .collect();
    std::fs::write(path, serde_json::to_vec(&entries).expect("json")).expect("write outbox");
}

/// Starts a sender on `path`; returns its handle and what it told the UI while starting
/// (restored messages and warnings are reported before `spawn` returns).
fn start(path: &std::path::Path) -> (outbox::OutboxHandle, Vec<String>, Vec<String>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = outbox::spawn(chat(), path.to_path_buf(), tx);
    let (mut restored, mut warnings) = (Vec::new(), Vec::new());
    while let Ok(event) = rx.try_recv() {
        match event {
            Event::Outbox { pending, .. } => {
                restored.extend(pending.into_iter().map(|p| p.client_message_id))
            }
            Event::ActionResult { result: Err(e), .. } => warnings.push(e),
            _ => {}
        }
    }
    (handle, restored, warnings)
}

#[tokio::test]
async fn a_second_client_does_not_resend_the_first_ones_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("alice.outbox.json");
    write_outbox(&path, &["11"]);
    let (_first, restored, warnings) = start(&path);
    assert_eq!(restored, vec!["11".to_owned()]);
    assert!(warnings.is_empty(), "{warnings:?}");

    let (_second, restored, warnings) = start(&path);
    assert!(
        restored.is_empty(),
        "the second client took over {restored:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("open in another acs-chat")),
        "the second client is told: {warnings:?}"
    );
    assert!(path.exists(), "the first client's file is left alone");
}

#[tokio::test]
async fn an_outbox_left_by_a_gone_client_is_adopted_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("alice.outbox.json");
    let left = dir.path().join("alice.outbox-1.json");
    write_outbox(&path, &["11"]);
    write_outbox(&left, &["11", "22"]);
    let (_first, restored, _) = start(&path);
    assert_eq!(restored, vec!["11".to_owned(), "22".to_owned()]);
    assert!(!left.exists(), "adopted, so no later client sends it again");
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(kept.as_array().map(Vec::len), Some(2), "{kept}");
}
