//! Every way push can fail ends in one clear "push unavailable: …" state, soon, and
//! never in a hang or a panic: scripted servers play the configuration route, the
//! allocation, the registrar and a socket.io socket that misbehaves.

mod cli_common;
mod common;
mod push_common;
mod push_script;

use std::time::Duration;

use acs_chat::acs::realtime::{PushOptions, PushState, Update};
use cli_common::{fake_token, scripted_server};
use push_common::{first_verdict, next, push_at};
use push_script::{Script, socket_server, trouter};

fn options() -> PushOptions {
    PushOptions {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        ..PushOptions::default()
    }
}

/// The reason of the first verdict, which must be `Down`.
async fn down_reason(endpoint: &str) -> String {
    let mut push = push_at(endpoint, None, &fake_token(), options());
    match first_verdict(&mut push, 20).await {
        PushState::Down { reason, .. } => reason,
        other => panic!("expected down, got {other:?}"),
    }
}

#[tokio::test]
async fn config_route_failures() {
    for status in [404, 401, 500] {
        let endpoint = scripted_server(move |_| (status, "{}".to_owned()));
        let reason = down_reason(&endpoint).await;
        assert_eq!(reason, format!("the configuration call answered {status}"));
        let shown = PushState::Down {
            reason,
            retry_in: Duration::ZERO,
        }
        .to_string();
        assert!(shown.starts_with("push unavailable: "), "{shown}");
    }
    let endpoint = scripted_server(|_| {
        (
            200,
            r#"{"trouterServiceUrl":"","cloudType":"Public"}"#.to_owned(),
        )
    });
    assert!(down_reason(&endpoint).await.contains("trouterServiceUrl"));
}

#[tokio::test]
async fn allocation_refused() {
    let endpoint = trouter(None, 403, 600, |_| {});
    assert_eq!(down_reason(&endpoint).await, "the allocation answered 403");
}

async fn live_then_down(script: Script) -> String {
    let socket = socket_server(script).await;
    let endpoint = trouter(Some(socket), 200, 600, |_| {});
    let mut push = push_at(&endpoint, None, &fake_token(), options());
    let verdict = first_verdict(&mut push, 20).await;
    if let PushState::Down { reason, .. } = verdict {
        return reason;
    }
    assert_eq!(verdict, PushState::Live);
    match next(&mut push, 20).await {
        Update::State(PushState::Down { reason, .. }) => reason,
        other => panic!("expected down, got {other:?}"),
    }
}

#[tokio::test]
async fn socket_closed_mid_way() {
    assert_eq!(
        live_then_down(Script::CloseAfterConnect).await,
        "the push service closed the socket"
    );
}

#[tokio::test]
async fn garbage_frames() {
    // Garbage before `trouter.connected`: it never goes live.
    let reason = live_then_down(Script::Garbage).await;
    assert!(
        reason.starts_with("the push service sent a frame that is not socket.io"),
        "{reason}"
    );
}

#[tokio::test]
async fn silent_socket() {
    // Heartbeat 1 s: silent for 1 + 2 s is dead.
    assert_eq!(
        live_then_down(Script::Silent).await,
        "the push service was silent for 3 s"
    );
}

/// A service that accepts and then drops at once is no steady connection: its ends
/// count as failures, so the waits before reconnecting grow instead of staying at the
/// half second that follows a connection which stayed up.
#[tokio::test]
async fn a_socket_that_drops_at_once_backs_off_more_each_time() {
    let socket = socket_server(Script::CloseAfterConnect).await;
    let endpoint = trouter(Some(socket), 200, 600, |_| {});
    let mut push = push_at(&endpoint, None, &fake_token(), options());
    let mut waits = Vec::new();
    while waits.len() < 2 {
        if let Update::State(PushState::Down { retry_in, .. }) = next(&mut push, 20).await {
            waits.push(retry_in);
        }
    }
    assert!(waits[0] >= Duration::from_millis(800), "{waits:?}");
    assert!(waits[1] > waits[0], "{waits:?}");
}
