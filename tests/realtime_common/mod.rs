//! Test helpers that speak the Trouter protocol as the official client does:
//! allocation, handshake, socket, and answering pushed requests.
#![allow(dead_code)]

use acs_chat::emulator::EmulatorConfig;
use futures::{SinkExt as _, StreamExt as _};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::common::{Env, User};

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn http_env() -> Env {
    Env::start_with(EmulatorConfig {
        tls: false,
        ..EmulatorConfig::for_tests()
    })
    .await
}

pub async fn allocate(env: &Env, token: &str, extra: &str) -> reqwest::Response {
    env.client
        .post(format!(
            "{}/v4/a?cor_id=c&con_num=1_1&epid=e{extra}",
            env.base
        ))
        .header("x-skypetoken", token)
        .header("content-type", "text/plain")
        .send()
        .await
        .expect("sent")
}

pub fn params(alloc: &Value) -> String {
    let p = &alloc["connectparams"];
    format!(
        "sr={}&se={}&sig={}",
        p["sr"].as_str().unwrap_or(""),
        p["se"].as_str().unwrap_or(""),
        p["sig"].as_str().unwrap_or("")
    )
}

/// Allocation and handshake; returns the WebSocket URL.
pub async fn socket_url(env: &Env, user: &User) -> String {
    let r = allocate(env, &user.token, "").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header_is_json(&r));
    let alloc: Value = r.json().await.expect("json");
    assert_eq!(alloc["socketio"], format!("{}/", env.base));
    let hs = env
        .client
        .get(format!(
            "{}/socket.io/1/?{}&v=v4&auth=true&t=1",
            env.base,
            params(&alloc)
        ))
        .header("x-skypetoken", &user.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(hs.status(), StatusCode::OK);
    let text = hs.text().await.expect("text");
    let parts: Vec<&str> = text.split(':').collect();
    assert_eq!(parts.len(), 4, "{text}");
    assert_eq!(parts[3], "websocket");
    format!(
        "ws://{}/socket.io/1/websocket/{}?{}",
        env.host(),
        parts[0],
        params(&alloc)
    )
}

/// Reads `1::` and `trouter.connected` off a fresh socket.
pub async fn expect_connected(ws: &mut Ws) {
    assert_eq!(next_text(ws).await, "1::");
    let connected = next_text(ws).await;
    let v: Value = serde_json::from_str(connected.trim_start_matches("5:::")).expect("event");
    assert_eq!(v["name"], "trouter.connected");
    assert!(v["args"][0]["ttl"].as_i64().is_some_and(|t| t > 0));
}

/// Allocation, handshake, socket; returns the socket after `trouter.connected`.
pub async fn connect(env: &Env, user: &User) -> Ws {
    let url = socket_url(env, user).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    expect_connected(&mut ws).await;
    ws
}

pub fn header_is_json(r: &reqwest::Response) -> bool {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c == "application/json" || c.starts_with("application/json;"))
}

pub async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return t.to_string();
        }
    }
}

/// The next pushed event's body, answering the request as the client does.
pub async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let frame = next_text(ws).await;
        if frame == "2::" {
            continue;
        }
        let req: Value = serde_json::from_str(frame.trim_start_matches("3:::")).expect("request");
        let reply = json!({"id": req["id"], "status": 200, "headers": {}, "body": ""});
        ws.send(Message::text(format!("3:::{reply}")))
            .await
            .expect("reply");
        return serde_json::from_str(req["body"].as_str().expect("body string"))
            .expect("body json");
    }
}

/// One HTTP/1.1 exchange over a plain socket, so that any `Host` can be sent;
/// returns the status, the header block (lower-cased) and the body. An upgrade's
/// 101 answer is returned as soon as its head is read.
pub async fn raw_exchange(
    port: u16,
    method: &str,
    path_and_query: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let mut request = format!("{method} {path_and_query} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    socket.write_all(request.as_bytes()).await.expect("sends");
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            let n = socket.read(&mut chunk).await.expect("reads");
            answer.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&answer);
            if n == 0 || (text.starts_with("HTTP/1.1 101") && text.contains("\r\n\r\n")) {
                return;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("an answer within 10 s");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, head.to_ascii_lowercase(), body.to_owned())
}
