//! Event Grid delivery: the chat events of [`super::events`] written to a
//! transactional outbox in the same SQLite transaction as the change that raised
//! them, and delivered to webhooks as Event Grid delivers them — validation
//! handshake, Event Grid or CloudEvents schema, `aeg-*` headers, retries on Event
//! Grid's schedule, no retry for 400/401/403/413, dead letters kept in the database,
//! time to live, batching.
//!
//! Cost: with no subscription, a write only reads one flag. The API never waits for
//! a delivery: each subscription has its own task, all of them share a bounded number
//! of requests in flight (32), and every request has a timeout. A hung webhook holds
//! at most its own requests until they time out; many hung webhooks at once can take
//! all 32 and delay the others' deliveries by up to the timeout, never a write.
//!
//! Module map: `subscription` (options, checks), `outbox` (the tables), `facts`
//! (rows -> event facts), `deliver` (HTTP: handshakes, posts, outcomes), `worker`
//! (one task per subscription), `manage` (the management route).

pub mod deliver;
pub mod facts;
pub mod manage;
pub mod outbox;
pub mod subscription;
pub mod worker;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Transaction;
use tokio::sync::watch;

use super::api_error::ApiError;
use super::events::{self, Change, Occurrence};
use super::store::membership::Members;
pub use subscription::{BadSubscription, Subscription};

/// How deliveries are made (`serve --event-*`).
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// `topic` / `source` of every event.
    pub topic: String,
    /// How long one second of Event Grid's retry schedule and of a time to live lasts
    /// here (1000 = real time; tests compress it).
    pub clock_ms_per_second: u64,
    /// How long a webhook gets to answer.
    pub timeout: Duration,
    /// Extra CA certificates (PEM) trusted for https webhooks.
    pub extra_ca_pem: Vec<String>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            topic: events::DEFAULT_TOPIC.to_owned(),
            clock_ms_per_second: 1000,
            timeout: Duration::from_secs(30),
            extra_ca_pem: Vec::new(),
        }
    }
}

/// The emulator's Event Grid state (in [`super::app::App`]).
pub struct EventGrid {
    /// Whether any subscription exists: only then do writes record events.
    active: AtomicBool,
    /// Bumped after a write recorded events; every subscription's task watches it.
    wake: watch::Sender<u64>,
    pub config: DeliveryConfig,
    /// The running subscription tasks, by name.
    pub(crate) workers: Mutex<HashMap<String, worker::Handle>>,
    /// Codes of Event Grid-schema handshakes waiting for a GET of their validationUrl.
    pub(crate) manual: Mutex<HashMap<String, (String, tokio::sync::oneshot::Sender<()>)>>,
    pub(crate) client: reqwest::Client,
    /// Bounds the webhook requests in flight across all subscriptions.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
    /// The emulator's own base URL, for validationUrl (set once it listens).
    pub(crate) base_url: Mutex<String>,
}

/// Webhook requests in flight at most, across all subscriptions.
const MAX_IN_FLIGHT: usize = 32;

impl EventGrid {
    pub fn new(config: DeliveryConfig) -> Result<Self, BadSubscription> {
        let client = deliver::client(&config)?;
        Ok(Self {
            active: AtomicBool::new(false),
            wake: watch::channel(0).0,
            config,
            workers: Mutex::default(),
            manual: Mutex::default(),
            client,
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
            base_url: Mutex::default(),
        })
    }

    pub(crate) fn set_active(&self, active: bool) {
        self.active.store(active, Ordering::SeqCst);
    }

    pub(crate) fn woken(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// Wakes the subscription tasks. Called inside the writing transaction: each task
    /// then reads the outbox through the store's writer, behind this write's batch, so
    /// it sees the commit (or, rolled back, nothing) — never an earlier snapshot.
    pub(crate) fn wake(&self) {
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The events of what a write changed (only when a subscription exists), in
    /// the write's own transaction: the transactional outbox. `change` names the
    /// change from the members around the write and its result; `None` = no event.
    pub fn record<R, C>(
        &self,
        tx: &Transaction<'_>,
        members: &Members,
        result: &R,
        now: i64,
        change: C,
    ) -> Result<(), ApiError>
    where
        C: FnOnce(&Transaction<'_>, &Members, &R) -> Result<Option<(String, Change)>, ApiError>,
    {
        if !self.active.load(Ordering::SeqCst) {
            return Ok(());
        }
        if let Some((thread, change)) = change(tx, members, result)? {
            let occurrence = Occurrence {
                thread: facts::thread(tx, &thread)?,
                members: facts::members(&members.after)
                    .into_iter()
                    .map(|m| m.raw)
                    .collect(),
                change,
                transaction_id: uuid::Uuid::new_v4().to_string(),
                time_ms: now,
            };
            let built = events::build(&occurrence, &mut || uuid::Uuid::new_v4().to_string());
            outbox::insert(tx, &built)?;
            self.wake();
        }
        Ok(())
    }
}
