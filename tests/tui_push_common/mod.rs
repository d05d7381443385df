//! The interactive client's network half, headless: `user`'s `App`, the real poller and
//! the real push task feeding one channel, as the event loop does. Each wait is
//! bounded, so a hang is a failure. It counts the poller's cycles (each ends in one
//! `Connection` event) against the wake-ups it was given, so a test can tell that no
//! poll ran between two moments.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use acs_chat::acs::realtime::{Notifications, PushState};
use acs_chat::acs::{
    ChatClient, HttpConfig, HttpExchange, HttpObserver, TokenCredential, Transport,
};
use acs_chat::config::PollIntervals;
use acs_chat::tui::app::{App, Command, Event, ProfileInfo, UiSettings};
use acs_chat::tui::poller::{self, PollerControl, PollerHandle};
use acs_chat::tui::push::{self, PushTask};
use time::OffsetDateTime;
use tokio::sync::mpsc::UnboundedReceiver;

/// Polling so slow that nothing a test waits for can come from it.
pub const GLACIAL: PollIntervals = PollIntervals {
    active_ms: 600_000,
    idle_max_ms: 600_000,
    idle_after_secs: 600,
    error_backoff_max_ms: 500,
};

/// The loopback pace of the TUI (fast).
pub const FAST: PollIntervals = PollIntervals {
    active_ms: 50,
    idle_max_ms: 200,
    idle_after_secs: 60,
    error_backoff_max_ms: 500,
};

pub struct Client {
    pub app: App,
    pub poller: PollerHandle,
    pub rx: UnboundedReceiver<Event>,
    pub push: Option<PushTask>,
    /// Poll cycles finished (`Connection` events seen).
    pub polls: usize,
    /// Wake-ups handed to the poller: its first cycle, each control we routed, and
    /// each time push went live or stopped being live (the push task tells it).
    pub wakeups: usize,
    live: bool,
    /// Route the app's commands to the poller (off: the poller gets no wake-ups from us).
    pub route: bool,
}

impl Client {
    pub fn start(
        chat: ChatClient,
        user_id: &str,
        intervals: PollIntervals,
        push: Notifications,
    ) -> Self {
        let mut app = App::new(
            ProfileInfo {
                name: "bob".into(),
                user_id: user_id.to_owned(),
                display_name: "Bob".into(),
                endpoint: chat.endpoint().to_string(),
                known_profiles: vec![],
            },
            UiSettings {
                id_seed: 1,
                ..UiSettings::default()
            },
        );
        app.update(Event::Resize(100, 30));
        app.update(Event::Tick {
            now: OffsetDateTime::now_utc(),
        });
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let poller = poller::spawn(chat, intervals, tx.clone());
        let push = push::forward(push, poller.clone(), tx);
        Self {
            app,
            poller,
            rx,
            push: Some(push),
            polls: 0,
            wakeups: 1,
            live: false,
            route: true,
        }
    }

    /// Applies the next event (routing its commands); returns it.
    pub async fn step(&mut self, what: &str) -> Event {
        let Ok(Some(ev)) = tokio::time::timeout(Duration::from_secs(20), self.rx.recv()).await
        else {
            panic!(
                "timed out waiting until {what}; connection {:?}, push {:?}, polls {} of {}, open {:?}, texts {:?}",
                self.app.connection,
                self.app.push,
                self.polls,
                self.wakeups,
                self.app.open,
                self.texts()
            );
        };
        match &ev {
            Event::Connection(_) => self.polls += 1,
            Event::PushState(s) if (*s == PushState::Live) != self.live => {
                self.live = !self.live;
                self.wakeups += 1;
            }
            _ => {}
        }
        self.apply(ev.clone());
        ev
    }

    /// Applies an event, routing its commands to the poller (while `route`).
    pub fn apply(&mut self, ev: Event) {
        for cmd in self.app.update(ev) {
            let control = match cmd {
                Command::OpenThread { thread_id } => PollerControl::OpenThread(thread_id),
                Command::FetchParticipants { thread_id } => {
                    PollerControl::RefreshParticipants(thread_id)
                }
                Command::Refresh { thread_id } => PollerControl::Refresh(thread_id),
                _ => continue,
            };
            if self.route {
                self.wakeups += 1;
                self.poller.send(control);
            }
        }
    }

    /// Steps until `done`; returns the event that made it true.
    pub async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) -> Event {
        loop {
            let ev = self.step(what).await;
            if done(&self.app) {
                return ev;
            }
        }
    }

    /// Steps until push is live and every poll cycle asked for so far has run, so the
    /// poller is asleep until its timer (or a new wake-up).
    pub async fn settle(&mut self, thread: &str) {
        while !(self.live
            && self.polls >= self.wakeups
            && self.app.open.as_deref() == Some(thread)
            && self
                .app
                .open_thread()
                .is_some_and(|t| t.conv.history.complete))
        {
            // Opened only after the first cycle, which a control sent earlier would
            // replace (and the count would wait for a cycle that never comes).
            if self.polls > 0 && self.app.open.as_deref() != Some(thread) {
                self.apply(Event::FocusThread {
                    thread_id: thread.to_owned(),
                });
                continue;
            }
            self.step("push is live and the poller is idle").await;
        }
    }

    /// The texts of the open thread's user messages, oldest first.
    pub fn texts(&self) -> Vec<String> {
        self.app
            .open_thread()
            .map(|t| {
                t.conv
                    .entries()
                    .iter()
                    .filter(|e| !e.is_system())
                    .filter_map(|e| match &e.body {
                        acs_chat::tui::entry::Body::Text(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ends push (unregistering), bounded.
    pub async fn stop_push(&mut self) {
        if let Some(push) = self.push.take() {
            tokio::time::timeout(Duration::from_secs(20), push.stop())
                .await
                .expect("push stops cleanly");
        }
    }
}

/// Counts the HTTP requests of one client.
#[derive(Default)]
pub struct Requests(AtomicUsize);

impl Requests {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl HttpObserver for Requests {
    fn exchange(&self, _: &HttpExchange) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A chat client as `token` of the emulator at `endpoint`, trusting only `ca`, and
/// the count of its requests.
pub fn chat_client(endpoint: &str, ca: &str, token: &str) -> (ChatClient, Arc<Requests>) {
    let requests = Arc::new(Requests::default());
    let transport = Transport::new(HttpConfig {
        extra_ca_pem: vec![ca.as_bytes().to_vec()],
        trust_only_extra_ca: true,
        observer: Some(requests.clone() as Arc<dyn HttpObserver>),
        ..HttpConfig::default()
    })
    .expect("transport");
    let chat = ChatClient::new(
        url::Url::parse(endpoint).expect("endpoint"),
        TokenCredential::from_token(token).expect("jwt"),
        transport,
    );
    (chat, requests)
}
