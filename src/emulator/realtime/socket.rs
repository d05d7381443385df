//! One Trouter WebSocket: `1::`, then `trouter.connected`; heartbeats; acks of the
//! client's `ping` and `user.activity`; pushed requests for the user's events. A
//! token that expires or is revoked ends the socket with `unauthorized`, which makes
//! the client reconnect with a fresh token.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt as _, StreamExt as _};

use super::super::app::App;
use super::super::auth::user_token::{self, TokenUser};
use super::super::store::now_ms;
use super::frames;
use super::hub::Push;
use super::trouter::HEARTBEAT_TIMEOUT_S;
use crate::wire::socketio::{self, Frame};

/// How often the server sends `2::` (well inside the announced timeout).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(HEARTBEAT_TIMEOUT_S / 3);

/// A client that takes longer than this to take one frame is gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

type Sink = futures::stream::SplitSink<WebSocket, Message>;

/// Sends one frame; `false` if the client is gone or stopped reading.
async fn send(tx: &mut Sink, frame: String) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, tx.send(Message::text(frame))).await,
        Ok(Ok(()))
    )
}

/// Why a socket ended (for the log).
#[derive(Debug)]
enum End {
    ClientGone,
    Overflow,
    TokenExpired,
    TokenRevoked,
    ServerStopping,
}

pub async fn serve(app: Arc<App>, socket: WebSocket, caller: TokenUser, connection: String) {
    let mut subscription = app.realtime.hub.subscribe(&caller.user);
    let (mut tx, mut rx) = socket.split();
    let url = format!("/v4/f/{connection}/messaging");
    let until_expiry = Duration::from_millis(
        u64::try_from(
            caller
                .expires_s
                .saturating_mul(1000)
                .saturating_sub(now_ms()),
        )
        .unwrap_or(0),
    );
    let expiry = tokio::time::sleep(until_expiry);
    tokio::pin!(expiry);
    let mut heartbeat = tokio::time::interval(HEARTBEAT_EVERY);
    heartbeat.tick().await;
    let mut stopping = app.shutdown.subscribe();
    let stopping = async move {
        let _ = stopping.wait_for(|s| *s).await;
    };
    tokio::pin!(stopping);
    let mut next_request: u64 = 0;
    let connected = socketio::event(
        None,
        "trouter.connected",
        Some(
            serde_json::json!([{ "dur": "0", "ttl": caller.expires_s.saturating_sub(now_ms() / 1000).max(0) }]),
        ),
    );
    if !send(&mut tx, socketio::CONNECT.to_owned()).await || !send(&mut tx, connected).await {
        return;
    }
    let end = loop {
        tokio::select! {
            incoming = rx.next() => {
                let Some(Ok(msg)) = incoming else { break End::ClientGone };
                let Message::Text(text) = msg else {
                    if matches!(msg, Message::Close(_)) { break End::ClientGone }
                    continue;
                };
                match socketio::parse(text.as_str()) {
                    Ok(Frame::Event { ack: Some(id), .. })
                        if !send(&mut tx, socketio::ack(id)).await => break End::ClientGone,
                    Ok(Frame::Disconnect(_)) => break End::ClientGone,
                    // Heartbeats, the client's answers to pushed requests, frames not
                    // understood: nothing to do.
                    _ => {}
                }
            }
            push = subscription.rx.recv() => {
                let body = match push {
                    None => break End::Overflow,
                    Some(Push::Event(body)) => body,
                    Some(Push::Recheck) => {
                        if let Ok(false) = user_token::still_live(&app, &caller.user, caller.issued_ms).await {
                            break End::TokenRevoked;
                        }
                        continue;
                    }
                };
                next_request += 1;
                let frame = frames::request(next_request, &url, &body);
                if !send(&mut tx, frame).await {
                    break End::ClientGone;
                }
            }
            _ = heartbeat.tick() => {
                // A store hiccup is not a revocation: only a definite "no" ends it.
                if let Ok(false) = user_token::still_live(&app, &caller.user, caller.issued_ms).await {
                    break End::TokenRevoked;
                }
                if !send(&mut tx, socketio::HEARTBEAT.to_owned()).await {
                    break End::ClientGone;
                }
            }
            _ = &mut expiry => break End::TokenExpired,
            _ = &mut stopping => break End::ServerStopping,
        }
    };
    tracing::debug!(user = %caller.user, reason = ?end, "trouter socket ended");
    let last = match end {
        End::TokenExpired | End::TokenRevoked => Some(frames::unauthorized()),
        End::Overflow | End::ServerStopping => Some(socketio::DISCONNECT.to_owned()),
        End::ClientGone => None,
    };
    if let Some(frame) = last {
        send(&mut tx, frame).await;
    }
    let _ = tx.close().await;
}
