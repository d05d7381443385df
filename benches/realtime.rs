//! Real-time notifications under load, against `acs-chat serve --in-memory --http`
//! in its own process (so its memory is its own): event latency from the REST answer
//! to the listener's socket, fan-out to a full thread of 250 connected members,
//! connections held and the server's memory per connection, and send throughput
//! with no listeners, with 1,000 listeners connected in other threads, and with 250
//! listeners on the thread being written.
//!
//! Listeners speak the Trouter protocol as the official client does (allocation,
//! handshake, socket.io WebSocket) and read every frame they are sent.
//!
//! Run: `cargo bench --bench realtime` (`-- --short` for the quick CI mode).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use serde_json::Value;
use support::serve::Server;
use support::{Report, ms, short_mode};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

impl Server {
    /// A connected listener for `token`: every message event it receives goes to `tx`
    /// as (message id, arrival time). Aborting the task closes the socket.
    async fn listen(
        &self,
        token: &str,
        tx: mpsc::UnboundedSender<(String, Instant)>,
    ) -> tokio::task::JoinHandle<()> {
        let alloc: Value = self
            .http
            .post(format!("{}/v4/a", self.base))
            .header("x-skypetoken", token)
            .send()
            .await
            .expect("allocation")
            .json()
            .await
            .expect("json");
        let p = &alloc["connectparams"];
        let params = format!(
            "sr={}&se={}&sig={}",
            p["sr"].as_str().unwrap_or(""),
            p["se"].as_str().unwrap_or(""),
            p["sig"].as_str().unwrap_or("")
        );
        let hs = self
            .http
            .get(format!("{}/socket.io/1/?{params}", self.base))
            .header("x-skypetoken", token)
            .send()
            .await
            .expect("handshake")
            .text()
            .await
            .expect("text");
        let sid = hs.split(':').next().unwrap_or_default();
        let url = format!(
            "{}/socket.io/1/websocket/{sid}?{params}",
            self.base.replacen("http", "ws", 1)
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("socket");
        // `1::` and `trouter.connected`.
        for _ in 0..2 {
            let _ = ws.next().await;
        }
        tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(t) = msg else { continue };
                let Some(req) = t.strip_prefix("3:::") else {
                    continue;
                };
                let at = Instant::now();
                let body = serde_json::from_str::<Value>(req)
                    .ok()
                    .and_then(|r| serde_json::from_str::<Value>(r["body"].as_str()?).ok());
                if let Some(id) = body.and_then(|b| b["messageId"].as_str().map(str::to_owned))
                    && tx.send((id, at)).is_err()
                {
                    return;
                }
            }
        })
    }
}

/// Sends/s of `writers` (a user and the thread it writes to each), all at once, for
/// `window`.
async fn throughput(
    server: &Arc<Server>,
    writers: &[((String, String), String)],
    window: Duration,
) -> f64 {
    let pairs: Vec<_> = writers
        .iter()
        .map(|(user, thread)| (user.1.clone(), thread.clone()))
        .collect();
    support::serve::load(server, &pairs, window).await as f64 / window.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let short = short_mode();
    let (samples, listeners, fan_out, senders, window) = if short {
        (20, 50, 20, 4, Duration::from_secs(1))
    } else {
        (500, 1000, 250, 16, Duration::from_secs(10))
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = Arc::new(Server::start(&[]));
    let mut report = Report::default();

    // The crowd's users and their own threads exist before any throughput is taken,
    // so the windows with and without their sockets differ by the sockets alone (the
    // database grows meanwhile, and a bigger database is slower on its own).
    let crowd = server.users(listeners).await;
    for u in &crowd {
        server.thread(u, &[]).await;
    }

    // Throughput with nobody listening.
    let writers_users = server.users(senders).await;
    let mut writers = Vec::new();
    for w in &writers_users {
        writers.push((w.clone(), server.thread(w, &[]).await));
    }
    let quiet = throughput(&server, &writers, window).await;
    report.add("send.no_listeners", quiet, "sends/s");

    // Latency: one listener, one writer, one message at a time.
    let pair = server.users(2).await;
    let thread = server.thread(&pair[0], &pair[1..]).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _latency_listener = server.listen(&pair[1].1, tx).await;
    // The event leaves right after the commit, before the REST answer is written, so
    // it often arrives first: both are timed from the moment the send starts.
    let (mut answer, mut event, mut lead) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let start = Instant::now();
        let id = server.send(&pair[0].1, &thread).await;
        let answered = Instant::now();
        loop {
            let (got, at) = rx.recv().await.expect("event");
            if got == id {
                answer.push(ms(answered - start));
                event.push(ms(at - start));
                lead.push(ms(at.saturating_duration_since(answered)));
                break;
            }
        }
    }
    report.latencies("send.rest_answer", &mut answer);
    report.latencies("send.event_at_listener", &mut event);
    report.latencies("event.after_rest_answer", &mut lead);

    // Connections held, and the server's memory for them.
    let before = server.rss_mib();
    let (tx, mut crowd_rx) = mpsc::unbounded_channel();
    let started = Instant::now();
    let mut crowd_sockets = Vec::with_capacity(crowd.len());
    for u in &crowd {
        crowd_sockets.push(server.listen(&u.1, tx.clone()).await);
    }
    report.add("connections.held", crowd.len() as f64, "sockets");
    report.add(
        "connections.setup",
        ms(started.elapsed()) / crowd.len() as f64,
        "ms/socket",
    );
    let after = server.rss_mib();
    report.add(
        "connections.memory",
        (after - before) * 1024.0 / crowd.len() as f64,
        "KiB/socket",
    );
    let busy = throughput(&server, &writers, window).await;
    assert!(
        crowd_rx.try_recv().is_err(),
        "listeners elsewhere got nothing"
    );
    // The machine drifts and the database grows: measure "none" again afterwards and
    // compare with the mean of the two.
    crowd_sockets.iter().for_each(|t| t.abort());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let quiet_again = throughput(&server, &writers, window).await;
    report.add("send.no_listeners.again", quiet_again, "sends/s");
    report.add("send.listeners_elsewhere", busy, "sends/s");
    report.add(
        "send.listeners_elsewhere.vs_none",
        busy / ((quiet + quiet_again) / 2.0) * 100.0,
        "%",
    );

    // Fan-out: a thread whose `fan_out` members are all connected.
    let members = server.users(fan_out).await;
    let full = server.thread(&members[0], &members[1..]).await;
    let (tx, mut fan_rx) = mpsc::unbounded_channel();
    let mut member_sockets = Vec::with_capacity(members.len());
    for m in &members {
        member_sockets.push(server.listen(&m.1, tx.clone()).await);
    }
    let mut last = Vec::with_capacity(samples / 10 + 1);
    for _ in 0..(samples / 10).max(3) {
        let id = server.send(&members[0].1, &full).await;
        let answered = Instant::now();
        let mut reached = 0;
        let mut latest = answered;
        while reached < members.len() {
            let (got, at) = fan_rx.recv().await.expect("event");
            if got == id {
                reached += 1;
                latest = latest.max(at);
            }
        }
        last.push(ms(latest.saturating_duration_since(answered)));
    }
    report.latencies(&format!("fanout.{fan_out}.last_member"), &mut last);
    let shared: Vec<_> = members
        .iter()
        .take(senders)
        .map(|m| (m.clone(), full.clone()))
        .collect();
    let drain = tokio::spawn(async move { while fan_rx.recv().await.is_some() {} });
    let crowded = throughput(&server, &shared, window).await;
    report.add(
        format!("send.{fan_out}_listeners_on_thread"),
        crowded,
        "sends/s",
    );
    drain.abort();
    report.print_table("Real-time notifications (acs-chat serve --in-memory --http, own process)");
}
