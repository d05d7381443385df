//! Scripted push services for the push client's tests: a Trouter (configuration,
//! allocation, registrar over plain HTTP) and a socket.io server that plays a script.
#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use tokio::io::AsyncWriteExt as _;
use tokio_tungstenite::tungstenite::Message;

use super::cli_common::{SeenRequest, scripted_server};

/// A scripted Trouter: configuration, allocation and registrar over HTTP; the
/// socket.io base is `socketio` (the socket server), or this server itself. The
/// allocation answers `allocation` with a TTL of `ttl` seconds; `tap` sees every
/// request first.
pub fn trouter<F>(socketio: Option<String>, allocation: u16, ttl: u64, tap: F) -> String
where
    F: Fn(&SeenRequest) + Send + Sync + 'static,
{
    let me = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let seen = me.clone();
    let endpoint = scripted_server(move |r| {
        tap(r);
        let origin = seen.get().cloned().unwrap_or_default();
        let origin = origin.trim_end_matches('/');
        if r.path.starts_with("/chat/config/") {
            let body = serde_json::json!({"trouterServiceUrl": origin, "registrarServiceUrl": origin, "cloudType": "Public"});
            (200, body.to_string())
        } else if r.path.starts_with("/v4/a") {
            let base = socketio.clone().unwrap_or_else(|| format!("{origin}/"));
            let body = serde_json::json!({"socketio": base, "surl": format!("{origin}/v4/f/x/"), "url": "u", "id": "x",
                "ccid": "x", "connectparams": {"sr": "x", "se": "1", "sig": "s"}, "ttl": ttl.to_string()});
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

/// What the socket server does once the WebSocket is open.
#[derive(Clone, Copy)]
pub enum Script {
    CloseAfterConnect,
    Garbage,
    Silent,
    /// A healthy service: heartbeats every half second, every client event acked.
    Steady,
}

/// A socket.io server: the handshake (announcing a 1 s heartbeat), then the socket.
pub async fn socket_server(script: Script) -> String {
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
                if let Script::Garbage = script {
                    let _ = ws.send(Message::text("1::")).await;
                    let _ = ws.send(Message::text("hello, not socket.io")).await;
                } else {
                    let _ = ws.send(Message::text("1::")).await;
                    let _ = ws.send(Message::text(connected)).await;
                }
                match script {
                    Script::CloseAfterConnect => {
                        let _ = ws.close(None).await;
                    }
                    Script::Steady => steady(ws).await,
                    // Read (and never answer) until the client goes.
                    Script::Garbage | Script::Silent => while let Some(Ok(_)) = ws.next().await {},
                }
            });
        }
    });
    format!("http://{addr}/")
}

/// Heartbeats, and `6:::N` for every `5:N+::…` the client sends, until it goes.
async fn steady(mut ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) {
    let mut beat = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = beat.tick() => {
                if ws.send(Message::text("2::")).await.is_err() {
                    return;
                }
            }
            frame = ws.next() => {
                let Some(Ok(Message::Text(text))) = frame else { return };
                let ack = text
                    .strip_prefix("5:")
                    .and_then(|rest| rest.split_once("+:"))
                    .map(|(id, _)| format!("6:::{id}"));
                if let Some(ack) = ack
                    && ws.send(Message::text(ack)).await.is_err()
                {
                    return;
                }
            }
        }
    }
}
