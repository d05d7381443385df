//! Who is connected, and getting events to them without ever holding up a writer.
//!
//! A write hands its event to [`Hub::publish`] on the store thread right after its
//! commit (so events leave in commit order); that only queues it. One publisher task
//! fans each event out to the recipients' connections with `try_send` into a bounded
//! queue per connection. A connection whose queue is full is dropped: its socket
//! closes, the client reconnects and catches up over REST, as the SDK's users do.
//!
//! The publisher's own queue is bounded too ([`PUBLISH_QUEUE`]), and a writer never
//! waits on it: an event that does not fit is lost to every socket, so the next time
//! the publisher runs it drops every connection, for the same catch-up over REST.
//! Events queued before the lost one still drain to their sockets first; nothing
//! after the gap reaches a socket that was connected across it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;

/// Events a connection may have waiting before it counts as dead.
pub const QUEUE: usize = 256;

/// Events waiting for the publisher before writes outrun it (a burst of writes to
/// large threads, a publisher starved of CPU).
pub const PUBLISH_QUEUE: usize = 4096;

/// One event for a set of users; `body` renders it for one recipient (the payload
/// names its recipient).
pub struct Event {
    pub recipients: Vec<String>,
    pub body: Box<dyn Fn(&str) -> String + Send>,
}

/// What a connection is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// An event body for this connection's user.
    Event(Arc<str>),
    /// The user's tokens changed (revoked, identity deleted): check yours.
    Recheck,
}

struct Conn {
    id: u64,
    tx: mpsc::Sender<Push>,
}

/// The connections of every user.
pub struct Hub {
    conns: Mutex<HashMap<String, Vec<Conn>>>,
    next_id: AtomicU64,
    publisher: mpsc::Sender<Event>,
    /// Set when an event did not fit in the publisher's queue: every connection
    /// missed it.
    lost: AtomicBool,
}

/// A connection's end: events arrive on `rx`; the channel closes when the hub drops
/// the connection (overflow). Dropping it unsubscribes.
pub struct Subscription {
    pub rx: mpsc::Receiver<Push>,
    hub: Arc<Hub>,
    user: String,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.remove(&self.user, self.id);
    }
}

impl Hub {
    /// A hub and the task that delivers its events (spawned on the current runtime).
    pub fn start() -> Arc<Self> {
        let (publisher, mut events) = mpsc::channel::<Event>(PUBLISH_QUEUE);
        let hub = Arc::new(Self {
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            publisher,
            lost: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let Some(hub) = weak.upgrade() else { return };
                if hub.lost.swap(false, Ordering::AcqRel) {
                    hub.drop_all();
                }
                hub.deliver(&event);
            }
        });
        hub
    }

    /// Queues `event` for delivery; never blocks. When the queue is full the event is
    /// lost, and so every connection is dropped before the next delivery.
    pub fn publish(&self, event: Event) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.publisher.try_send(event)
            && !self.lost.swap(true, Ordering::AcqRel)
        {
            tracing::warn!(
                queued = PUBLISH_QUEUE,
                "push events outran the publisher; every socket is dropped to catch up over REST"
            );
        }
    }

    /// Starts receiving `user`'s events.
    pub fn subscribe(self: &Arc<Self>, user: &str) -> Subscription {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(user.to_owned())
            .or_default()
            .push(Conn { id, tx });
        Subscription {
            rx,
            hub: self.clone(),
            user: user.to_owned(),
            id,
        }
    }

    /// Tells `user`'s connections to check their token again (after a revoke).
    pub fn recheck(&self, user: &str) {
        let mut conns = self.lock();
        if let Some(list) = conns.get_mut(user) {
            list.retain(|c| c.tx.try_send(Push::Recheck).is_ok());
            if list.is_empty() {
                conns.remove(user);
            }
        }
    }

    /// How many connections `user` has.
    pub fn connections_of(&self, user: &str) -> usize {
        self.lock().get(user).map_or(0, Vec::len)
    }

    /// How many connections are subscribed (for tests and benchmarks).
    pub fn connections(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    fn deliver(&self, event: &Event) {
        let mut conns = self.lock();
        for user in &event.recipients {
            let Some(list) = conns.get_mut(user) else {
                continue;
            };
            let body = Push::Event(Arc::from((event.body)(user)));
            // A full or closed queue drops the connection (its sender goes away).
            list.retain(|c| c.tx.try_send(body.clone()).is_ok());
            if list.is_empty() {
                conns.remove(user);
            }
        }
    }

    /// Drops every connection: their channels close once drained, and their sockets
    /// end with `0::`.
    fn drop_all(&self) {
        self.lock().clear();
    }

    fn remove(&self, user: &str, id: u64) {
        let mut conns = self.lock();
        if let Some(list) = conns.get_mut(user) {
            list.retain(|c| c.id != id);
            if list.is_empty() {
                conns.remove(user);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Conn>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(to: &[&str]) -> Event {
        Event {
            recipients: to.iter().map(|s| s.to_string()).collect(),
            body: Box::new(|r| format!("for {r}")),
        }
    }

    #[tokio::test]
    async fn events_reach_recipients_only_in_order() {
        let hub = Hub::start();
        let mut a = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        hub.publish(event(&["a"]));
        hub.publish(event(&["a", "b"]));
        let for_a = Some(Push::Event(Arc::from("for a")));
        assert_eq!(a.rx.recv().await, for_a);
        assert_eq!(a.rx.recv().await, for_a);
        assert_eq!(b.rx.recv().await, Some(Push::Event(Arc::from("for b"))));
        assert!(b.rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_connection_that_never_reads_is_dropped_and_others_go_on() {
        let hub = Hub::start();
        let stuck = hub.subscribe("a");
        let mut live = hub.subscribe("a");
        for _ in 0..QUEUE + 1 {
            hub.publish(event(&["a"]));
            // The live one keeps up.
            assert!(live.rx.recv().await.is_some());
        }
        assert_eq!(hub.connections(), 1);
        let mut stuck = stuck;
        let mut drained = 0;
        while stuck.rx.recv().await.is_some() {
            drained += 1;
        }
        assert_eq!(
            drained, QUEUE,
            "queued events drain, then the channel closes"
        );
    }

    #[tokio::test]
    async fn a_full_publish_queue_drops_every_connection_and_the_hub_goes_on() {
        // On this single-threaded runtime the publisher cannot run until the test
        // awaits, so the queue fills up: the writer's calls return at once all the same.
        let hub = Hub::start();
        let mut a = hub.subscribe("a");
        for _ in 0..PUBLISH_QUEUE + 1 {
            hub.publish(event(&["nobody"]));
        }
        let closed = tokio::time::timeout(std::time::Duration::from_secs(10), a.rx.recv()).await;
        assert_eq!(closed, Ok(None), "a connection across the gap is dropped");
        assert_eq!(hub.connections(), 0);
        // Who connects afterwards gets events again.
        let mut b = hub.subscribe("b");
        hub.publish(event(&["b"]));
        assert_eq!(b.rx.recv().await, Some(Push::Event(Arc::from("for b"))));
    }
}
