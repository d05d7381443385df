//! Load: a socket that never reads must not slow the writers or the other listeners
//! (its queue fills, the emulator drops it, everyone else gets everything), and a
//! message to a full thread of connected members reaches every one of them.

mod common;
mod realtime_common;

use common::ident;
use futures::StreamExt as _;
use realtime_common::{connect, http_env, next_event, socket_url};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Enough data to fill the socket buffers and then the per-connection queue.
const MESSAGES: usize = 1500;
const SIZE: usize = 8000;

#[tokio::test]
async fn a_socket_that_never_reads_is_dropped_while_writes_and_others_go_on() {
    let env = http_env().await;
    let (alice, bob, stuck_user) = (env.user().await, env.user().await, env.user().await);
    let thread = env.thread(&alice, "busy", &[&bob, &stuck_user]).await;
    let mut live = connect(&env, &bob).await;

    // A tiny receive buffer, and no reading: the server's writes back up at once.
    let url = socket_url(&env, &stuck_user).await;
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("buffer size");
    let stream = socket.connect(env.emu.addr).await.expect("tcp");
    let (mut stuck, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("ws");

    let text = "x".repeat(SIZE);
    let reader = tokio::spawn(async move {
        let mut got = 0;
        while got < MESSAGES {
            let e = next_event(&mut live).await;
            if e["eventId"] == 200 {
                got += 1;
            }
        }
        got
    });
    for _ in 0..MESSAGES {
        env.send(&alice, &thread, &text).await;
    }
    assert_eq!(
        reader.await.expect("reader"),
        MESSAGES,
        "the live listener got every event"
    );

    // Now read the stuck socket: it was cut off (a disconnect frame, then the end)
    // before all the events.
    let mut events = 0;
    let mut disconnected = false;
    // A socket that was never cut off would keep waiting for more: bound the wait.
    let quiet = std::time::Duration::from_secs(10);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(quiet, stuck.next()).await {
        if let Message::Text(t) = msg {
            if t.starts_with("3:::") {
                events += 1;
            } else if t.starts_with("0::") {
                disconnected = true;
            }
        }
    }
    assert!(disconnected, "the stuck socket was told to go");
    assert!(
        events < MESSAGES,
        "the stuck socket got {events} of {MESSAGES}"
    );
}

#[tokio::test]
async fn a_message_to_250_connected_members_reaches_all_of_them() {
    const MEMBERS: usize = 250;
    let env = http_env().await;
    let mut users = Vec::with_capacity(MEMBERS);
    for _ in 0..MEMBERS {
        users.push(env.user().await);
    }
    // One request adds at most 200 participants.
    let thread = env.thread(&users[0], "full house", &[]).await;
    for batch in users[1..].chunks(200) {
        let participants: Vec<_> = batch
            .iter()
            .map(|u| json!({"communicationIdentifier": ident(&u.id)}))
            .collect();
        let r = env
            .chat(
                Method::POST,
                &format!("/chat/threads/{}/participants/:add", common::enc(&thread)),
                &users[0].token,
                Some(json!({ "participants": participants })),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let mut sockets = Vec::with_capacity(MEMBERS);
    for u in &users {
        sockets.push(connect(&env, u).await);
    }
    let id = env.send(&users[0], &thread, "to everyone").await;
    let mut reached = 0;
    for (ws, u) in sockets.iter_mut().zip(&users) {
        let e = next_event(ws).await;
        assert_eq!(e["messageId"], id.as_str());
        assert_eq!(e["recipientMri"], u.id.as_str());
        reached += 1;
    }
    assert_eq!(reached, MEMBERS);
}
