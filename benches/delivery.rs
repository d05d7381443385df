//! Delivery latency Alice → Bob on a local emulator, through the interactive client's
//! own sender (`tui::outbox`) and poller (`tui::poller`), headless: from the moment
//! Alice's send is acknowledged (`SendResult` Ok) to the moment Bob's client state
//! (`App::update` of the poller's `MessagesPolled`) holds the message. Also the
//! request rates of an active client (Bob, while messages arrive) and of an idle one
//! (Carol, in a quiet thread, after her poller has backed off).
//!
//! The push mode (`delivery/push.rs`) measures the same client with push connected;
//! the follow mode (`delivery/follow.rs`) the `message list --follow` child process,
//! to the line on its stdout, with push and without.
//!
//! Run: `cargo bench --bench delivery` (add `-- --short` for the quick CI mode).

#[path = "delivery/follow.rs"]
mod follow;
#[path = "delivery/push.rs"]
mod push;
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acs_chat::acs::realtime::ChatEvent;
use acs_chat::config::{PollConfig, PollIntervals};
use acs_chat::tui::app::{App, Event, PendingSend, Priority, ProfileInfo, UiSettings};
use acs_chat::tui::event::META_CLIENT_MESSAGE_ID;
use acs_chat::tui::outbox::{self, OutboxCommand};
use acs_chat::tui::poller::{self, PollerControl};
use rand::RngExt as _;
use support::{Local, Report, ms, short_mode};
use time::OffsetDateTime;
use tokio::sync::mpsc;

type Times = Arc<Mutex<HashMap<String, Instant>>>;

/// Bob's side: his poller's (and push task's) events go into his client state, as in
/// the TUI; records when the state first holds each message (by its client message
/// id), and, with `typing`, each time an applied typing event leaves it showing someone.
fn spawn_receiver(
    mut events: mpsc::UnboundedReceiver<Event>,
    mut app: App,
    seen: Times,
    typing: Option<mpsc::UnboundedSender<Instant>>,
) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let ids: Vec<String> = match &event {
                Event::MessagesPolled { messages, .. } | Event::OlderMessages { messages, .. } => {
                    messages
                        .iter()
                        .filter_map(|m| {
                            m.metadata
                                .as_ref()
                                .and_then(|md| md.get(META_CLIENT_MESSAGE_ID))
                                .cloned()
                        })
                        .collect()
                }
                Event::Pushed {
                    event: ChatEvent::MessageReceived(m),
                    ..
                } => m
                    .metadata
                    .get(META_CLIENT_MESSAGE_ID)
                    .cloned()
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            let typed = matches!(
                event,
                Event::Pushed {
                    event: ChatEvent::Typing(_),
                    ..
                }
            );
            let _ = app.update(event);
            let now = Instant::now();
            if typed
                && !app.typing_names().is_empty()
                && let Some(tx) = &typing
            {
                let _ = tx.send(now);
            }
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                seen.entry(id).or_insert(now);
            }
        }
    });
}

/// Alice's side: records when each send was acknowledged.
fn spawn_ack_recorder(mut events: mpsc::UnboundedReceiver<Event>, acked: Times) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            if let Event::SendResult {
                client_message_id,
                result: Ok(_),
                ..
            } = event
            {
                acked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(client_message_id)
                    .or_insert_with(Instant::now);
            }
        }
    });
}

struct Bench {
    outbox: outbox::OutboxHandle,
    thread_id: String,
    next: u64,
    acked: Times,
    seen: Times,
    /// When each message was handed to Alice's sender (her Enter).
    queued: Times,
}

impl Bench {
    /// Queues one message in Alice's outbox, as the TUI does when she presses Enter.
    fn send(&mut self) -> String {
        self.next += 1;
        let client_message_id = format!("{}", 1_000_000_000 + self.next);
        self.queued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(client_message_id.clone(), Instant::now());
        self.outbox.send(OutboxCommand::Send(PendingSend {
            thread_id: self.thread_id.clone(),
            client_message_id: client_message_id.clone(),
            content: format!("benchmark message {}", self.next),
            priority: Priority::Normal,
            display_name: "Alice".to_owned(),
            created_at: OffsetDateTime::now_utc(),
        }));
        client_message_id
    }

    /// Sends `count` messages in groups of `burst`, with a gap drawn from `gap_ms`
    /// after each group; returns the latencies in ms.
    async fn phase(&mut self, count: usize, gap_ms: (u64, u64), burst: usize) -> Vec<f64> {
        let mut ids = Vec::with_capacity(count);
        while ids.len() < count {
            for _ in 0..burst.min(count - ids.len()) {
                let id = self.send();
                ids.push(id);
            }
            let gap = rand::rng().random_range(gap_ms.0..=gap_ms.1);
            tokio::time::sleep(Duration::from_millis(gap)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let done = {
                let (acked, seen) = (
                    self.acked.lock().unwrap_or_else(|e| e.into_inner()),
                    self.seen.lock().unwrap_or_else(|e| e.into_inner()),
                );
                ids.iter()
                    .all(|id| acked.contains_key(id) && seen.contains_key(id))
            };
            if done || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (acked, seen) = (
            self.acked.lock().unwrap_or_else(|e| e.into_inner()),
            self.seen.lock().unwrap_or_else(|e| e.into_inner()),
        );
        let mut latencies = Vec::with_capacity(ids.len());
        for id in &ids {
            match (acked.get(id), seen.get(id)) {
                // Bob may see a message before Alice's answer arrives: that counts as 0.
                (Some(ack), Some(seen)) => latencies.push(ms(seen.saturating_duration_since(*ack))),
                (ack, seen) => panic!(
                    "message {id} did not complete within 10 s (acknowledged: {}, seen by Bob: {})",
                    ack.is_some(),
                    seen.is_some()
                ),
            }
        }
        latencies
    }
}

/// Bob's side of a bench: his events, id, poller, and where to note typing shown.
struct Bob<'a> {
    events: mpsc::UnboundedReceiver<Event>,
    id: &'a str,
    poller: &'a poller::PollerHandle,
    typing: Option<mpsc::UnboundedSender<Instant>>,
}

/// Bob's state (fed by his events, `thread_id` open) and Alice's sender (the TUI's
/// outbox, its file in `dir`) writing to it; message numbers start after `first`.
fn start_bench(
    bob: Bob<'_>,
    alice: &acs_chat::acs::ChatClient,
    thread_id: &str,
    dir: &std::path::Path,
    first: u64,
) -> Bench {
    let seen: Times = Arc::default();
    let mut bob_app = app_for(bob.id);
    let _ = bob_app.update(Event::SessionReady {
        profile: bob_app.profile.clone(),
        open_thread: Some(thread_id.to_owned()),
    });
    spawn_receiver(bob.events, bob_app, seen.clone(), bob.typing);
    bob.poller
        .send(PollerControl::OpenThread(thread_id.to_owned()));
    let (alice_tx, alice_rx) = mpsc::unbounded_channel();
    let outbox = outbox::spawn(alice.clone(), dir.join("alice.outbox.json"), alice_tx);
    let acked: Times = Arc::default();
    spawn_ack_recorder(alice_rx, acked.clone());
    Bench {
        outbox,
        thread_id: thread_id.to_owned(),
        next: first,
        acked,
        seen,
        queued: Times::default(),
    }
}

/// The rate of `counter`'s requests over `window`, starting `after` from now.
fn request_rate(
    counter: Arc<support::RequestCounter>,
    after: Duration,
    window: Duration,
) -> tokio::task::JoinHandle<f64> {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let before = counter.get();
        let started = Instant::now();
        tokio::time::sleep(window).await;
        (counter.get() - before) as f64 / started.elapsed().as_secs_f64()
    })
}

fn app_for(user_id: &str) -> App {
    let profile = ProfileInfo {
        name: "bob".into(),
        user_id: user_id.to_owned(),
        display_name: "Bob".into(),
        ..ProfileInfo::default()
    };
    let settings = UiSettings {
        id_seed: 7,
        ..UiSettings::default()
    };
    App::new(profile, settings)
}

#[tokio::main]
async fn main() {
    let short = short_mode();
    let (human, bursts, burst_size, idle_window) = if short {
        (30, 3, 10, Duration::from_secs(6))
    } else {
        (500, 10, 50, Duration::from_secs(40))
    };
    let local = Local::start().await;
    let alice_user = local.user().await;
    let bob_user = local.user().await;
    let carol_user = local.user().await;
    let erin_user = local.user().await;
    let thread_id = local
        .thread(&alice_user, &[&bob_user, &erin_user], "delivery")
        .await;
    let quiet_thread = local.thread(&carol_user, &[], "quiet").await;

    let loopback = PollConfig::default().resolve(true);
    let remote = PollConfig::default().resolve(false);

    // Bob: the TUI's poller with the loopback defaults, the open thread being the one Alice writes to.
    let (bob_tx, bob_rx) = mpsc::unbounded_channel();
    let bob_poller = poller::spawn(bob_user.chat.clone(), loopback, bob_tx);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bench = start_bench(
        Bob {
            events: bob_rx,
            id: &bob_user.id,
            poller: &bob_poller,
            typing: None,
        },
        &alice_user.chat,
        &thread_id,
        dir.path(),
        0,
    );

    // Carol: idle from the start. Her back-off begins after 1 s instead of 60 s so the
    // steady idle rate shows within the run; the rate itself depends only on the idle
    // interval and the requests per cycle, which are the defaults.
    let carol_intervals = PollIntervals {
        idle_after_secs: 1,
        ..loopback
    };
    let (carol_tx, mut carol_rx) = mpsc::unbounded_channel();
    let carol_poller = poller::spawn(carol_user.chat.clone(), carol_intervals, carol_tx);
    carol_poller.send(PollerControl::OpenThread(quiet_thread));
    tokio::spawn(async move { while carol_rx.recv().await.is_some() {} });
    // Her requests over a window that starts once her interval has reached its maximum
    // (1 s + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 4 s ≈ 11 s after she started), measured
    // while the other phases run.
    let carol_requests = carol_user.requests.clone();
    let idle = request_rate(carol_requests, Duration::from_secs(12), idle_window);

    // Erin: in the same thread as Bob, polling with the defaults for a remote
    // endpoint, to see what they ask of the service's rate limits while active.
    let (erin_tx, mut erin_rx) = mpsc::unbounded_channel();
    let erin_poller = poller::spawn(erin_user.chat.clone(), remote, erin_tx);
    erin_poller.send(PollerControl::OpenThread(thread_id.clone()));
    tokio::spawn(async move { while erin_rx.recv().await.is_some() {} });

    // Let Bob load the first page before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut report = Report::default();
    let bob_before = bob_user.requests.get();
    let erin_before = erin_user.requests.by_op();
    let active_started = Instant::now();
    let mut human_latencies = bench.phase(human, (100, 400), 1).await;
    let active_secs = active_started.elapsed().as_secs_f64();
    let active_requests = bob_user.requests.get() - bob_before;
    let erin_after = erin_user.requests.by_op();
    report.add(
        "delivery.human.messages",
        human_latencies.len() as f64,
        "count",
    );
    report.latencies("delivery.human", &mut human_latencies);

    let mut burst_latencies = bench
        .phase(bursts * burst_size, (1000, 1000), burst_size)
        .await;
    report.add(
        "delivery.burst.messages",
        burst_latencies.len() as f64,
        "count",
    );
    report.add("delivery.burst.size", burst_size as f64, "messages");
    report.latencies("delivery.burst", &mut burst_latencies);

    report.add(
        "requests.active.rate",
        active_requests as f64 / active_secs,
        "req/s",
    );
    // Per operation, per 10 s (the window of most ACS Chat limits), with remote defaults.
    for (op, after) in &erin_after {
        let n = after - erin_before.get(op).copied().unwrap_or(0);
        report.add(
            format!("requests.remote_active.{op}"),
            n as f64 * 10.0 / active_secs,
            "per 10 s",
        );
    }

    let idle_rate = idle.await.expect("idle window");
    report.add("requests.idle.rate", idle_rate, "req/s");
    report.add("requests.idle.per_5_min", idle_rate * 300.0, "requests");
    report.add(
        "poll.loopback.active_interval",
        loopback.active_ms as f64,
        "ms",
    );
    report.add(
        "poll.loopback.idle_interval",
        loopback.idle_max_ms as f64,
        "ms",
    );
    report.add("poll.remote.active_interval", remote.active_ms as f64, "ms");
    report.add("poll.remote.idle_interval", remote.idle_max_ms as f64, "ms");
    // Push mode: the same client with its push task (targets in BENCHMARKS.md).
    push::run(&local, &mut report, short).await;
    // `message list --follow` as a child process, to its stdout line.
    follow::run(&local, &mut report, short).await;
    report.print_table(if short {
        "Delivery latency (short mode: figures not meaningful)"
    } else {
        "Delivery latency"
    });

    drop(bob_poller);
    drop(carol_poller);
    drop(erin_poller);
    local.emulator.shutdown().await;
}
