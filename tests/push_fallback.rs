//! Every way push can fail ends in one clear "push unavailable: …" state, soon, and
//! never in a hang or a panic: scripted servers play the configuration route, the
//! allocation, the registrar and a socket.io socket that misbehaves.

mod cli_common;
mod common;
mod push_common;

use std::time::Duration;

use acs_chat::acs::realtime::{PushOptions, PushState, Update};
use cli_common::{fake_token, scripted_server};
use futures::{SinkExt as _, StreamExt as _};
use push_common::{first_verdict, next, push_at};
use tokio::io::AsyncWriteExt as _;
use tokio_tungstenite::tungstenite::Message;

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

/// A scripted Trouter: configuration, allocation and registrar over HTTP; the
/// socket.io base is `socketio` (the socket server), or this server itself.
fn trouter(socketio: Option<String>, allocation: u16) -> String {
    let me = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let seen = me.clone();
    let endpoint = scripted_server(move |r| {
        let origin = seen.get().cloned().unwrap_or_default();
        let origin = origin.trim_end_matches('/');
        if r.path.starts_with("/chat/config/") {
            let body = serde_json::json!({"trouterServiceUrl": origin, "registrarServiceUrl": origin, "cloudType": "Public"});
            (200, body.to_string())
        } else if r.path.starts_with("/v4/a") {
            let base = socketio.clone().unwrap_or_else(|| format!("{origin}/"));
            let body = serde_json::json!({"socketio": base, "surl": format!("{origin}/v4/f/x/"), "url": "u", "id": "x",
                "ccid": "x", "connectparams": {"sr": "x", "se": "1", "sig": "s"}, "ttl": "600"});
            (allocation, body.to_string())
        } else if r.path.starts_with("/v3/registrations") {
            (202, String::new())
        } else {
            (404, "{}".to_owned())
        }
    });
    let _ = me.set(endpoint.clone());
    endpoint
}

#[tokio::test]
async fn allocation_refused() {
    let endpoint = trouter(None, 403);
    assert_eq!(down_reason(&endpoint).await, "the allocation answered 403");
}

/// What the socket server does once the WebSocket is open.
#[derive(Clone, Copy)]
enum Script {
    CloseAfterConnect,
    Garbage,
    Silent,
}

/// A socket.io server: the handshake (announcing a 1 s heartbeat), then the socket.
async fn socket_server(script: Script) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = [0u8; 512];
                let n = stream.peek(&mut head).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&head[..n]).into_owned();
                if !head.starts_with("GET /socket.io/1/websocket/") {
                    let body = "sid1:1:1:websocket";
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    return;
                }
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let connected = r#"5:::{"name":"trouter.connected","args":[{"ttl":"600"}]}"#;
                match script {
                    Script::Garbage => {
                        let _ = ws.send(Message::text("1::")).await;
                        let _ = ws.send(Message::text("hello, not socket.io")).await;
                    }
                    Script::CloseAfterConnect | Script::Silent => {
                        let _ = ws.send(Message::text("1::")).await;
                        let _ = ws.send(Message::text(connected)).await;
                        if let Script::CloseAfterConnect = script {
                            let _ = ws.close(None).await;
                            return;
                        }
                    }
                }
                // Read (and never answer) until the client goes.
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    format!("http://{addr}/")
}

async fn live_then_down(script: Script) -> String {
    let socket = socket_server(script).await;
    let endpoint = trouter(Some(socket), 200);
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
    let endpoint = trouter(Some(socket), 200);
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
