//! The push mode of the delivery benchmark: the same sender, poller and `App::update`
//! as the polling mode, with the interactive client's push task (`tui::push`) feeding
//! Bob's state too. Figures: Alice → Bob delivery, typing shown at Bob after Alice's
//! typing request returned, the HTTP request rate of an idle client with push
//! connected, and one message reaching 250 connected clients of one thread.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acs_chat::acs::realtime::{
    ChatEvent, Notifications, PushClient, PushOptions, PushState, Update,
};
use acs_chat::acs::{TokenCredential, Transport};
use acs_chat::config::PollConfig;
use acs_chat::tui::app::Event;
use acs_chat::tui::poller::{self, PollerControl};
use acs_chat::tui::push;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::support::{Local, Report, RequestCounter, User, ms};
use super::{Bob, app_for, request_rate, start_bench};

/// `user`'s push client, its HTTP requests counted by `counter`.
fn push_of(local: &Local, user: &User, counter: Option<Arc<RequestCounter>>) -> Notifications {
    let transport = Transport::new(local.http(counter)).expect("transport");
    let credential = TokenCredential::from_token(user.token.clone()).expect("token");
    PushClient::new(local.connection.endpoint.clone(), credential, transport)
        .with_options(PushOptions::default())
        .start()
        .expect("push starts")
}

/// Waits until `push` is live (bounded).
async fn live(push: &mut Notifications) {
    let wait = async {
        while let Some(u) = push.next().await {
            if u == Update::State(PushState::Live) {
                return;
            }
        }
        panic!("the push task ended before going live");
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("push live within 20 s");
}

pub async fn run(local: &Local, report: &mut Report, short: bool) {
    let (human, typings, idle_window) = if short {
        (30, 20, Duration::from_secs(5))
    } else {
        (500, 200, Duration::from_secs(180))
    };
    let alice = local.user().await;
    let bob = local.user().await;
    let carol = local.user().await;
    let thread_id = local.thread(&alice, &[&bob], "push delivery").await;
    let quiet = local.thread(&carol, &[], "push quiet").await;
    let loopback = PollConfig::default().resolve(true);

    // Bob: poller and push task into one channel and his state, as in the TUI; his
    // receiver also notes when his state first shows Alice typing after each request.
    let (bob_tx, bob_rx) = mpsc::unbounded_channel();
    let bob_poller = poller::spawn(bob.chat.clone(), loopback, bob_tx.clone());
    let mut bob_push = push_of(local, &bob, None);
    live(&mut bob_push).await;
    let bob_task = push::forward(bob_push, bob_poller.clone(), bob_tx);
    let (typing_tx, typing_rx) = mpsc::unbounded_channel();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bench = start_bench(
        Bob {
            events: bob_rx,
            id: &bob.id,
            poller: &bob_poller,
            typing: Some(typing_tx),
        },
        &alice.chat,
        &thread_id,
        dir.path(),
        10_000_000,
    );
    let seen = bench.seen.clone();

    // Carol: idle, push connected, every HTTP request of hers counted (REST and push).
    let carol_requests = Arc::new(RequestCounter::default());
    let (carol_tx, mut carol_rx) = mpsc::unbounded_channel();
    let carol_chat = {
        let transport =
            Transport::new(local.http(Some(carol_requests.clone()))).expect("transport");
        let credential = TokenCredential::from_token(carol.token.clone()).expect("token");
        acs_chat::acs::ChatClient::new(local.connection.endpoint.clone(), credential, transport)
    };
    let carol_poller = poller::spawn(carol_chat, loopback, carol_tx.clone());
    carol_poller.send(PollerControl::OpenThread(quiet));
    let carol_push = push::forward(
        push_of(local, &carol, Some(carol_requests.clone())),
        carol_poller.clone(),
        carol_tx,
    );
    tokio::spawn(async move { while carol_rx.recv().await.is_some() {} });
    // From after start-up and the catch-up poll that follows going live.
    let idle = request_rate(carol_requests, Duration::from_secs(3), idle_window);

    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = bench.phase(human, (100, 400), 1).await;
    report.add("push.delivery.messages", latencies.len() as f64, "count");
    report.latencies("push.delivery", &mut latencies);
    // Push usually beats Alice's own answer (the figure above is then 0): also from
    // her Enter, which includes her send's round trip.
    let mut from_enter: Vec<f64> = {
        let (queued, seen) = (
            bench.queued.lock().unwrap_or_else(|e| e.into_inner()),
            seen.lock().unwrap_or_else(|e| e.into_inner()),
        );
        queued
            .iter()
            .filter_map(|(id, q)| seen.get(id).map(|s| ms(s.saturating_duration_since(*q))))
            .collect()
    };
    report.latencies("push.delivery_from_enter", &mut from_enter);

    let mut typing = typing_latencies(&alice, &thread_id, typings, typing_rx).await;
    report.add("push.typing.samples", typing.len() as f64, "count");
    report.latencies("push.typing", &mut typing);

    let idle_rate = idle.await.expect("idle window");
    report.add("push.requests.idle.rate", idle_rate, "req/s");
    report.add(
        "push.idle.heartbeats (configured ping interval)",
        PushOptions::default().ping_every.as_secs_f64(),
        "s",
    );
    report.add(
        "push.poll.safety_net_interval",
        ms(acs_chat::tui::poller::SAFETY_NET),
        "ms",
    );

    let clients = if short { 20 } else { 250 };
    let mut fanout = fanout(local, clients).await;
    report.add("push.fanout.clients", clients as f64, "count");
    report.add("push.fanout.samples", fanout.len() as f64, "count");
    report.latencies("push.fanout", &mut fanout);

    bob_task.stop().await;
    carol_push.stop().await;
}

/// Alice's typing request returned → Bob's state shows it, `count` times.
async fn typing_latencies(
    alice: &User,
    thread_id: &str,
    count: usize,
    mut shown: mpsc::UnboundedReceiver<Instant>,
) -> Vec<f64> {
    let client = alice.chat.thread(thread_id);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        client
            .send_typing(Some("Alice"))
            .await
            .expect("typing sent");
        let returned = Instant::now();
        let at = tokio::time::timeout(Duration::from_secs(10), shown.recv())
            .await
            .expect("typing shown within 10 s")
            .expect("Bob's tap runs");
        out.push(ms(at.saturating_duration_since(returned)));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    out
}

/// One message to `n` connected clients of one thread: from the send being
/// acknowledged to each client's state holding it, over several messages.
async fn fanout(local: &Local, n: usize) -> Vec<f64> {
    let mut users = Vec::with_capacity(n);
    for _ in 0..n {
        users.push(local.user().await);
    }
    let (sender, others) = users.split_first().expect("one user at least");
    // ACS takes at most 200 participants in one request: create, then add the rest.
    let (first, rest) = others.split_at(others.len().min(199));
    let first: Vec<&User> = first.iter().collect();
    let thread_id = local.thread(sender, &first, "fanout").await;
    if !rest.is_empty() {
        let added = rest
            .iter()
            .map(|u| acs_chat::wire::ChatParticipant {
                communication_identifier: acs_chat::wire::CommunicationIdentifierModel::user(
                    u.id.clone(),
                ),
                display_name: None,
                share_history_time: None,
                metadata: None,
            })
            .collect();
        sender
            .chat
            .thread(&thread_id)
            .add_participants(added)
            .await
            .expect("the rest added");
    }
    let arrived: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let mut tasks = Vec::new();
    for user in &users {
        let mut push = push_of(local, user, None);
        live(&mut push).await;
        let (arrived, thread_id, id) = (arrived.clone(), thread_id.clone(), user.id.clone());
        tasks.push(tokio::spawn(async move {
            let mut app = app_for(&id);
            let _ = app.update(Event::FocusThread {
                thread_id: thread_id.clone(),
            });
            while let Some(update) = push.next().await {
                let Update::Event(event) = update else {
                    continue;
                };
                let message = matches!(event, ChatEvent::MessageReceived(_));
                let _ = app.update(Event::Pushed {
                    event,
                    at: OffsetDateTime::now_utc(),
                });
                if message {
                    arrived
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(Instant::now());
                }
            }
        }));
    }
    let client = sender.chat.thread(&thread_id);
    let mut out = Vec::new();
    for i in 0..5 {
        arrived.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let request = acs_chat::wire::SendChatMessageRequest {
            content: format!("to everyone {i}"),
            ..Default::default()
        };
        client.send_message(&request).await.expect("sent");
        let acked = Instant::now();
        let deadline = acked + Duration::from_secs(20);
        while arrived.lock().unwrap_or_else(|e| e.into_inner()).len() < users.len()
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let got = arrived.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(got.len(), users.len(), "every client got message {i}");
        out.extend(got.iter().map(|at| ms(at.saturating_duration_since(acked))));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for t in tasks {
        t.abort();
    }
    out
}
