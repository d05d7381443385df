//! The background poller: the source of news while push is not live, and the safety
//! net (a catch-up after every (re)connect, then a slow cycle) while it is.
//!
//! It polls `ListChatMessages` for the open thread incrementally (`startTime` = the
//! last modification seen, so edits and deletions arrive too), the thread list for the
//! rest (a changed `lastMessageReceivedOn` says which other threads to fetch: no
//! request per thread per tick), read receipts of the open thread, and participants
//! when they change. [`pace`] decides when: fast while active, backing off when idle,
//! slowing down for the service's rate limits, backing off on errors. A thread that
//! answers 403 or 404 is reported once and polled no more (the service keeps listing
//! such threads), while the rest keeps polling. It talks to the UI only through the
//! event channel.

mod pace;

pub use pace::SAFETY_NET;

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt as _;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::acs::{ChatClient, ListOptions, MessageCursor, RetryPolicy, SkipOptions};
use crate::config::PollIntervals;
use crate::tui::app::{ConnectionState, Event, GoneReason};
use crate::wire::ChatMessageType;
use pace::{Pace, Verdict};

/// What the UI tells the poller.
#[derive(Debug, Clone)]
pub enum PollerControl {
    /// Poll this thread fast from now on (and load its first page).
    OpenThread(String),
    /// The user did something: poll at the active rate again.
    Activity,
    /// Re-read the participants of a thread.
    RefreshParticipants(String),
    /// The user left this thread: stop polling it now.
    Forget(String),
    /// Push says this thread changed: poll it and the thread list now.
    Refresh(String),
    /// Push is live (`true`: catch up now, then poll only as a safety net) or not
    /// (`false`: today's polling, from now).
    PushLive(bool),
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

/// A thread whose last activity is this recent is fetched on every thread-list cycle
/// (see `poll_thread_list`).
const RECENT: Duration = Duration::from_secs(2);

/// Starts the poller task. Its requests are not retried by the transport: the poller
/// is a retry loop itself, and a hidden retry would hide a 429 from [`pace`] (which must
/// slow down) and an unreachable endpoint from the status bar.
pub fn spawn(
    chat: ChatClient,
    intervals: PollIntervals,
    events: mpsc::UnboundedSender<Event>,
) -> PollerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let chat = chat.with_retry(RetryPolicy::none());
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
    /// Threads that answered 403/404, with their activity then: left out of thread
    /// lists, and tried again only when that activity moves (e.g. the user was added back).
    gone: HashMap<String, Option<OffsetDateTime>>,
    /// When the open thread's read receipts were last listed.
    last_receipts: Option<Instant>,
    pace: Pace,
    cycle: u64,
    /// Threads push asked about, polled (with the thread list) on the next cycle.
    refresh: std::collections::BTreeSet<String>,
    /// Push went live: the next cycle is a full catch-up (receipts too).
    catch_up: bool,
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
            gone: HashMap::new(),
            last_receipts: None,
            pace: Pace::new(intervals, Instant::now()),
            cycle: 0,
            refresh: std::collections::BTreeSet::new(),
            catch_up: false,
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
                    self.emit(Event::Connection(ConnectionState::Ok {
                        last_poll: OffsetDateTime::now_utc(),
                    }));
                    wait = self
                        .pace
                        .succeeded(Instant::now())
                        .saturating_sub(started.elapsed());
                }
                Err(e) => {
                    let (backoff, verdict) = self.pace.failed(&e, Instant::now(), pace::jitter());
                    let error = e.to_string();
                    self.emit(Event::Connection(match verdict {
                        Verdict::Offline => ConnectionState::Offline { error },
                        Verdict::Retrying => ConnectionState::Retrying {
                            in_secs: backoff.as_secs().max(1),
                            error,
                        },
                    }));
                    tracing::debug!(error = %e, floor_ms = self.pace.floor().as_millis() as u64, "poll failed");
                    wait = backoff;
                }
            }
        }
    }

    async fn control(&mut self, control: PollerControl) {
        self.pace.activity(Instant::now());
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
            PollerControl::Forget(id) => self.forget(&id),
            PollerControl::Refresh(id) => {
                self.refresh.insert(id);
            }
            PollerControl::PushLive(live) => {
                self.pace.set_push_live(live);
                self.catch_up = live;
            }
        }
    }

    /// Stops polling a thread (until it is opened again).
    fn forget(&mut self, thread_id: &str) {
        self.cursors.remove(thread_id);
        if self.open.as_deref() == Some(thread_id) {
            self.open = None;
            self.last_receipts = None;
        }
    }

    /// A failed call on one thread: if the thread is gone for this user (403: not a
    /// participant, 404: deleted), report it once and stop polling it, so the other
    /// threads keep polling; anything else fails the cycle.
    fn thread_failed(&mut self, thread_id: &str, e: crate::acs::Error) -> crate::acs::Result<()> {
        let reason = match e.status() {
            Some(403) => GoneReason::Removed,
            Some(404) => GoneReason::Deleted,
            _ => return Err(e),
        };
        tracing::debug!(error = %e, "thread gone");
        self.forget(thread_id);
        let activity = self.thread_activity.get(thread_id).copied().flatten();
        self.gone.insert(thread_id.to_owned(), activity);
        self.emit(Event::ThreadGone {
            thread_id: thread_id.to_owned(),
            reason,
        });
        Ok(())
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    async fn poll_once(&mut self) -> crate::acs::Result<()> {
        self.cycle += 1;
        let mut news = false;
        if let Some(open) = self.open.clone() {
            match self.poll_thread(&open, true).await {
                Ok(n) => news |= n,
                Err(e) => self.thread_failed(&open, e)?,
            }
        }
        // The thread list is cheaper to poll less often; while active, every ~1 s.
        // With push live every cycle is a rare safety net (or asked for), so it is full.
        let list_every = (1_000 / self.intervals.active_ms.max(1)).max(1);
        let push_live = self.pace.push_live();
        let refresh = std::mem::take(&mut self.refresh);
        let catch_up = std::mem::take(&mut self.catch_up);
        if self.cycle % list_every == 1
            || list_every == 1
            || self.open.is_none()
            || push_live
            || !refresh.is_empty()
        {
            news |= self.poll_thread_list().await?;
            for id in refresh {
                // The open thread was polled above; a thread first listed just now was
                // seeded by the list.
                if self.open.as_deref() != Some(id.as_str()) && self.cursors.contains_key(&id) {
                    match self.poll_thread(&id, false).await {
                        Ok(n) => news |= n,
                        Err(e) => self.thread_failed(&id, e)?,
                    }
                }
            }
            // Push delivers receipts while live: list them on the catch-up only.
            if let Some(open) = self.open.clone()
                && (!push_live || catch_up)
                && self
                    .last_receipts
                    .is_none_or(|t| t.elapsed() >= RECEIPTS_EVERY)
            {
                self.last_receipts = Some(Instant::now());
                self.read_receipts(&open).await?;
            }
        }
        if news {
            self.pace.activity(Instant::now());
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
        drop(stream);
        self.recheck_gone(&threads).await?;
        threads.retain(|t| !self.gone.contains_key(&t.id));
        let recent = OffsetDateTime::now_utc() - RECENT;
        let mut changed = Vec::new();
        for t in &threads {
            if t.deleted_on.is_some() {
                // Listed as deleted: nothing to fetch (the UI drops it).
                continue;
            }
            let previous = self
                .thread_activity
                .insert(t.id.clone(), t.last_message_received_on);
            // `lastMessageReceivedOn` has whole seconds: a second message in the same
            // second leaves it unchanged, so a thread active just now is fetched anyway.
            let moved = matches!(previous, Some(p) if p != t.last_message_received_on)
                || t.last_message_received_on.is_some_and(|at| at >= recent);
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
            match self.poll_thread(&id, false).await {
                Ok(n) => news |= n,
                Err(e) => self.thread_failed(&id, e)?,
            }
        }
        Ok(news)
    }

    /// Gone threads stay out of the list; one whose activity moved (not deleted) is
    /// tried again with a one-message page, and comes back if it answers (the user was
    /// added back).
    async fn recheck_gone(
        &mut self,
        threads: &[crate::wire::ChatThreadItem],
    ) -> crate::acs::Result<()> {
        for t in threads {
            let Some(then) = self.gone.get(&t.id).copied() else {
                continue;
            };
            if t.deleted_on.is_some() || then == t.last_message_received_on {
                continue;
            }
            let probe = ListOptions {
                max_page_size: Some(1),
                start_time: None,
            };
            match self
                .chat
                .thread(&t.id)
                .list_messages_page(&probe, None)
                .await
            {
                Ok(_) => {
                    self.gone.remove(&t.id);
                    self.thread_activity.remove(&t.id);
                }
                Err(e) if matches!(e.status(), Some(403 | 404)) => {
                    self.gone.insert(t.id.clone(), t.last_message_received_on);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
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
                // Not a connection problem, and not proof the thread is gone (receipts
                // are refused on large threads too): the message poll decides that.
                Err(e) if matches!(e.status(), Some(403 | 404)) => return Ok(()),
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
