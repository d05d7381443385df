//! A socket that never reads must not slow the writers or the other listeners: its
//! queue fills, the emulator drops it, and everyone else gets everything.

mod common;
mod realtime_common;

use futures::StreamExt as _;
use realtime_common::{connect, http_env, next_event, socket_url};
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
