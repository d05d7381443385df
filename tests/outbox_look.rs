//! The interactive client's outbox never sends blind: when looking for a message whose
//! send had an unknown outcome fails for good, the message is left failed as "outcome
//! unknown" (for the user to check, then retry or discard), not sent a second time.

mod cli_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_chat::acs::{ChatClient, HttpConfig, RetryPolicy, TokenCredential, Transport};
use acs_chat::tui::app::{Event, PendingSend, Priority};
use acs_chat::tui::outbox::{self, OutboxCommand};
use cli_common::{SeenRequest, fake_token, scripted_server};

#[tokio::test]
async fn a_look_that_fails_for_good_leaves_the_message_failed_not_resent() {
    let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
    let log = seen.clone();
    // Every send "fails" with 500 (it may have arrived); every look is refused.
    let endpoint = scripted_server(move |r| {
        log.lock().expect("lock").push(r.clone());
        match r.method.as_str() {
            "POST" => (
                500,
                r#"{"CommunicationError":{"Code":"InternalError","Message":"lost answer"}}"#.into(),
            ),
            _ => (
                403,
                r#"{"CommunicationError":{"Code":"Forbidden","Message":"no"}}"#.into(),
            ),
        }
    });
    let transport = Transport::new(HttpConfig {
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..HttpConfig::default()
    })
    .expect("transport");
    let chat = ChatClient::new(
        url::Url::parse(&endpoint).expect("url"),
        TokenCredential::from_token(fake_token()).expect("token"),
        transport,
    );
    let dir = tempfile::tempdir().expect("temp");
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let handle = outbox::spawn(chat, dir.path().join("outbox.json"), tx);
    let cmid = "123456789".to_owned();
    handle.send(OutboxCommand::Send(PendingSend {
        thread_id: "19:t@thread.v2".into(),
        client_message_id: cmid.clone(),
        content: "once".into(),
        priority: Priority::Normal,
        display_name: "Alice".into(),
        created_at: time::OffsetDateTime::now_utc(),
    }));
    let error = loop {
        match tokio::time::timeout(Duration::from_secs(30), events.recv()).await {
            Ok(Some(Event::SendResult { result, .. })) => break result.expect_err("not sent"),
            Ok(Some(_)) => {}
            other => panic!("no send result: {other:?}"),
        }
    };
    assert!(
        error.contains("outcome unknown") && error.contains(&cmid),
        "{error}"
    );
    let seen = seen.lock().expect("lock");
    let posts = seen.iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 1, "sent again after a failed look");
    assert!(seen.iter().any(|r| r.method == "GET"), "it looked");
}
