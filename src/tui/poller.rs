//! The background poller: the only source of news, since the ACS REST API has no push.
//!
//! It polls `ListChatMessages` for the open thread incrementally (`startTime` = the
//! last modification seen, so edits and deletions arrive too), the thread list for the
//! rest (a changed `lastMessageReceivedOn` says which other threads to fetch: no
//! request per thread per tick), read receipts of the open thread, and participants
//! when they change. Fast while active, backing off when idle; exponential backoff
//! with jitter on errors, honouring `Retry-After`. It talks to the UI only through
//! the event channel.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt as _;
use rand::RngExt as _;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::acs::{ChatClient, ListOptions, MessageCursor, SkipOptions};
use crate::config::PollIntervals;
use crate::tui::app::{ConnectionState, Event};
use crate::wire::ChatMessageType;

/// What the UI tells the poller.
#[derive(Debug, Clone)]
pub enum PollerControl {
    /// Poll this thread fast from now on (and load its first page).
    OpenThread(String),
    /// The user did something: poll at the active rate again.
    Activity,
    /// Re-read the participants of a thread.
    RefreshParticipants(String),
}

/// The UI's end of the poller.
#[derive(Clone)]
pub struct PollerHandle {
    tx: mpsc::UnboundedSender<PollerControl>,
}

impl PollerHandle {
    pub fn send(&self, control: PollerControl) {
        let _ = self.tx.send(control);
    }
}

/// Messages of the first page loaded when a thread opens.
const FIRST_PAGE: u32 = 50;
/// Read receipts are listed at most this often: ACS allows 5 calls per 10 s per user
/// per thread, and with the remote defaults the thread-list cycle comes every second.
const RECEIPTS_EVERY: Duration = Duration::from_secs(3);

/// Starts the poller task.
pub fn spawn(
    chat: ChatClient,
    intervals: PollIntervals,
    events: mpsc::UnboundedSender<Event>,
) -> PollerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(Poller::new(chat, intervals, events).run(rx));
    PollerHandle { tx }
}

struct Poller {
    chat: ChatClient,
    intervals: PollIntervals,
    events: mpsc::UnboundedSender<Event>,
    open: Option<String>,
    cursors: HashMap<String, MessageCursor>,
    thread_activity: HashMap<String, Option<OffsetDateTime>>,
    last_activity: Instant,
    /// When the open thread's read receipts were last listed.
    last_receipts: Option<Instant>,
    interval: Duration,
    failures: u32,
    cycle: u64,
}

impl Poller {
    fn new(
        chat: ChatClient,
        intervals: PollIntervals,
        events: mpsc::UnboundedSender<Event>,
    ) -> Self {
        Self {
            chat,
            intervals,
            events,
            open: None,
            cursors: HashMap::new(),
            thread_activity: HashMap::new(),
            last_activity: Instant::now(),
            last_receipts: None,
            interval: Duration::from_millis(intervals.active_ms),
            failures: 0,
            cycle: 0,
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<PollerControl>) {
        let mut wait = Duration::ZERO;
        loop {
            tokio::select! {
                control = rx.recv() => match control {
                    None => return,
                    Some(c) => self.control(c).await,
                },
                () = tokio::time::sleep(wait) => {}
            }
            if self.events.is_closed() {
                return;
            }
            let started = Instant::now();
            match self.poll_once().await {
                Ok(()) => {
                    self.failures = 0;
                    self.emit(Event::Connection(ConnectionState::Ok {
                        last_poll: OffsetDateTime::now_utc(),
                    }));
                    wait = self.next_interval().saturating_sub(started.elapsed());
                }
                Err(e) => {
                    self.failures += 1;
                    let max = Duration::from_millis(self.intervals.error_backoff_max_ms);
                    let backoff = e
                        .retry_after()
                        .unwrap_or_else(|| backoff(self.failures, max));
                    self.emit(Event::Connection(ConnectionState::Retrying {
                        in_secs: backoff.as_secs().max(1),
                        error: e.to_string(),
                    }));
                    tracing::debug!(error = %e, "poll failed");
                    wait = backoff;
                }
            }
        }
    }

    async fn control(&mut self, control: PollerControl) {
        self.last_activity = Instant::now();
        self.interval = Duration::from_millis(self.intervals.active_ms);
        match control {
            PollerControl::OpenThread(id) => {
                self.open = Some(id);
                self.last_receipts = None;
            }
            PollerControl::Activity => {}
            PollerControl::RefreshParticipants(id) => {
                if let Err(e) = self.participants(&id).await {
                    tracing::debug!(error = %e, "participants refresh failed");
                }
            }
        }
    }

    /// Active rate until `idle_after_secs` without news or input, then doubling up to
    /// `idle_max_ms`.
    fn next_interval(&mut self) -> Duration {
        let active = Duration::from_millis(self.intervals.active_ms);
        if self.last_activity.elapsed() < Duration::from_secs(self.intervals.idle_after_secs) {
            self.interval = active;
        } else {
            self.interval =
                (self.interval * 2).min(Duration::from_millis(self.intervals.idle_max_ms));
        }
        self.interval
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    async fn poll_once(&mut self) -> crate::acs::Result<()> {
        self.cycle += 1;
        let mut news = false;
        if let Some(open) = self.open.clone() {
            news |= self.poll_thread(&open, true).await?;
        }
        // The thread list is cheaper to poll less often; while active, every ~1 s.
        let list_every = (1_000 / self.intervals.active_ms.max(1)).max(1);
        if self.cycle % list_every == 1 || list_every == 1 || self.open.is_none() {
            news |= self.poll_thread_list().await?;
            if let Some(open) = self.open.clone()
                && self
                    .last_receipts
                    .is_none_or(|t| t.elapsed() >= RECEIPTS_EVERY)
            {
                self.last_receipts = Some(Instant::now());
                self.read_receipts(&open).await?;
            }
        }
        if news {
            self.last_activity = Instant::now();
        }
        Ok(())
    }

    /// Loads the first page of a newly opened thread, or what changed since the last poll.
    async fn poll_thread(&mut self, thread_id: &str, open: bool) -> crate::acs::Result<bool> {
        let client = self.chat.thread(thread_id);
        if !self.cursors.contains_key(thread_id) {
            let options = ListOptions {
                max_page_size: Some(FIRST_PAGE),
                start_time: None,
            };
            let page = client.list_messages_page(&options, None).await?;
            let mut cursor = MessageCursor::default();
            for m in &page.value {
                cursor.note(m);
            }
            self.cursors.insert(thread_id.to_owned(), cursor);
            if open {
                if let Ok(thread) = client.properties().await {
                    self.emit(Event::ThreadDetails { thread });
                }
                self.participants(thread_id).await?;
            }
            self.emit(Event::OlderMessages {
                thread_id: thread_id.to_owned(),
                messages: page.value,
                next_link: page.next_link,
            });
            return Ok(true);
        }
        let Some(cursor) = self.cursors.get_mut(thread_id) else {
            return Ok(false);
        };
        let fresh = cursor.poll(&client).await?;
        if fresh.is_empty() {
            return Ok(false);
        }
        let membership_changed = fresh.iter().any(|m| {
            matches!(
                m.kind,
                ChatMessageType::ParticipantAdded | ChatMessageType::ParticipantRemoved
            )
        });
        self.emit(Event::MessagesPolled {
            thread_id: thread_id.to_owned(),
            messages: fresh,
        });
        if open && membership_changed {
            self.participants(thread_id).await?;
        }
        Ok(true)
    }

    /// Lists threads; fetches news only for threads whose last activity moved.
    async fn poll_thread_list(&mut self) -> crate::acs::Result<bool> {
        let mut stream = Box::pin(self.chat.list_threads(ListOptions {
            max_page_size: Some(200),
            start_time: None,
        }));
        let mut threads = Vec::new();
        while let Some(t) = stream.next().await {
            threads.push(t?);
        }
        let mut changed = Vec::new();
        for t in &threads {
            let previous = self
                .thread_activity
                .insert(t.id.clone(), t.last_message_received_on);
            let moved = matches!(previous, Some(p) if p != t.last_message_received_on);
            if moved
                && self.open.as_deref() != Some(t.id.as_str())
                && self.cursors.contains_key(&t.id)
            {
                changed.push(t.id.clone());
            }
            if previous.is_none()
                && self.open.as_deref() != Some(t.id.as_str())
                && !self.cursors.contains_key(&t.id)
            {
                // Seed the cursor so the next change is fetched incrementally.
                changed.push(t.id.clone());
            }
        }
        self.emit(Event::ThreadsListed { threads });
        let mut news = false;
        for id in changed {
            news |= self.poll_thread(&id, false).await?;
        }
        Ok(news)
    }

    async fn participants(&mut self, thread_id: &str) -> crate::acs::Result<()> {
        let client = self.chat.thread(thread_id);
        let mut stream = Box::pin(client.list_participants(SkipOptions {
            max_page_size: Some(200),
            skip: None,
        }));
        let mut participants = Vec::new();
        while let Some(p) = stream.next().await {
            participants.push(p?);
        }
        self.emit(Event::Participants {
            thread_id: thread_id.to_owned(),
            participants,
        });
        Ok(())
    }

    async fn read_receipts(&mut self, thread_id: &str) -> crate::acs::Result<()> {
        let client = self.chat.thread(thread_id);
        let mut stream = Box::pin(client.list_read_receipts(SkipOptions {
            max_page_size: Some(200),
            skip: None,
        }));
        let mut receipts = Vec::new();
        while let Some(r) = stream.next().await {
            match r {
                Ok(r) => receipts.push(r),
                // An ex-participant cannot read receipts; not a connection problem.
                Err(e) if e.status() == Some(403) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        self.emit(Event::ReadReceipts {
            thread_id: thread_id.to_owned(),
            receipts,
        });
        Ok(())
    }
}

/// 1 s, 2 s, 4 s … up to `max`, with ±25 % jitter so many clients do not retry in step.
fn backoff(failures: u32, max: Duration) -> Duration {
    let base = Duration::from_secs(1u64 << failures.saturating_sub(1).min(5)).min(max);
    let jitter = rand::rng().random_range(0.75..1.25);
    base.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let max = Duration::from_secs(30);
        assert!(backoff(1, max) <= Duration::from_millis(1250));
        assert!(backoff(3, max) >= Duration::from_secs(3));
        assert!(backoff(40, max) <= max.mul_f64(1.25));
        assert!(backoff(40, Duration::from_secs(3)) <= Duration::from_millis(3750));
    }
}
