//! The vocabulary between the pure core and the IO side: the [`Event`]s that flow into
//! [`App::update`](super::app::App::update) and the [`Command`]s it hands back.
//!
//! Everything here is plain data. Time enters only through [`Event::Tick`] (and the
//! timestamps inside service data), so `update` stays a pure function of its input.
//!
//! # What the IO side does with it
//! - Start with [`Event::Resize`] (the core assumes 80x24 until then) and send
//!   [`Event::Tick`] about once a second. Enable bracketed paste and mouse capture;
//!   keyboard enhancement (disambiguated escape codes) makes Shift-Enter a newline key.
//! - [`Command::OpenThread`]: poll that thread fast from now on; send its
//!   [`Event::ThreadDetails`], its first page of history as [`Event::OlderMessages`]
//!   (with the page's `nextLink`), [`Event::Participants`] and [`Event::ReadReceipts`];
//!   then new or changed messages as [`Event::MessagesPolled`]. The core opens the first
//!   listed thread by itself; [`Event::SessionReady`] and [`Event::FocusThread`] open a
//!   particular one.
//! - [`Command::LoadOlder`]: `next_link: None` means the first page. If the request
//!   fails, report it as an [`Event::ActionResult`] error; the core asks again when the
//!   user scrolls up after a while.
//! - [`Command::Send`]: persist, send in order per thread, answer with
//!   [`Event::SendResult`]. [`Command::RetrySend`] re-sends the stored message with the
//!   same client message id; [`Command::DiscardSend`] drops it from the outbox. Messages
//!   restored from disk at start-up are announced with [`Event::Outbox`] (the core shows
//!   them as *sending* and does not emit `Send` for them again).
//! - Member names in [`Command::CreateThread`], [`Command::Invite`] and
//!   [`Command::Remove`] are profile names or raw ids (`8:...`). A created thread carries
//!   the metadata of [`crate::seed::thread_meta::ThreadMeta`] (creator = Admin, `isStickyThread`)
//!   and is announced with [`Event::ThreadCreated`].
//! - A thread that answers 403 (not a participant) or 404 (deleted) is reported once as
//!   [`Event::ThreadGone`] and left out of later [`Event::ThreadsListed`] (the service
//!   keeps listing such threads); the core keeps it on screen, marked, while it is open.
//! - Push (when enabled): forward every [`PushState`] as [`Event::PushState`] and every
//!   chat event as [`Event::Pushed`] with the local time of arrival. Messages, edits,
//!   deletes, receipts, topics and typing are applied from the event itself;
//!   [`Command::Refresh`] asks for an immediate poll of a thread and the thread list
//!   (membership changes, threads not listed yet). The poller itself is told of the
//!   push state by the IO side: a safety net while `Live`, today's polling otherwise.
//! - [`Event::ActionResult`]: `what` is a short description ("topic updated"), shown on
//!   success, or as the prefix of the error.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use crate::acs::realtime::{ChatEvent, PushState};
use crate::wire::timestamp::serde_rfc3339;
use crate::wire::{
    ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem, ChatThreadProperties,
};

/// Metadata keys of the seed's `clientMessageId` and `priority` (one definition, shared
/// with the scripting commands).
pub use crate::seed::message_meta::{
    CLIENT_MESSAGE_ID as META_CLIENT_MESSAGE_ID, PRIORITY as META_PRIORITY,
};

/// Message priority, the seed's `priority`; travels in message metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Priority {
    #[default]
    Normal,
    High,
}

impl Priority {
    /// The metadata value, exactly as the seed spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::High => "High",
        }
    }

    /// Reads a metadata value; anything but `High` (any case) is normal.
    pub fn parse(s: &str) -> Self {
        if s.trim().eq_ignore_ascii_case("high") {
            Self::High
        } else {
            Self::Normal
        }
    }
}

/// A message the user wrote that the service has not yet confirmed. The sender task
/// sends it (and persists it until then); the UI shows it at once as *sending*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingSend {
    pub thread_id: String,
    /// Random unsigned 64-bit number in decimal: the dedupe key in message metadata.
    pub client_message_id: String,
    pub content: String,
    pub priority: Priority,
    /// `senderDisplayName` of the message.
    pub display_name: String,
    #[serde(with = "serde_rfc3339")]
    pub created_at: OffsetDateTime,
}

impl PendingSend {
    /// The message metadata the service should store with this send.
    pub fn metadata(&self) -> crate::wire::Metadata {
        let mut m = crate::wire::Metadata::new();
        m.insert(
            META_CLIENT_MESSAGE_ID.to_owned(),
            self.client_message_id.clone(),
        );
        m.insert(META_PRIORITY.to_owned(), self.priority.as_str().to_owned());
        m
    }
}

/// What the poller last knew about the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Connected; `last_poll` is when the last poll succeeded (status bar shows its age).
    Ok { last_poll: OffsetDateTime },
    /// A poll failed; the next attempt is in `in_secs` seconds.
    Retrying { in_secs: u64, error: String },
    /// The endpoint could not be reached at all (no connection: DNS, refused, TLS) for
    /// a while; the poller keeps probing at its longest backoff.
    Offline { error: String },
}

/// Why a thread can no longer be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoneReason {
    /// 403: the user is no longer a participant (removed, or left elsewhere).
    Removed,
    /// 404: the thread was deleted (or never existed).
    Deleted,
}

/// Everything that can happen to the client, from the terminal or the background tasks.
/// (Events are moved once through a channel; boxing the large variants would buy nothing.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    Key(crossterm::event::KeyEvent),
    Paste(String),
    Mouse(crossterm::event::MouseEvent),
    Resize(u16, u16),
    /// About once a second: the only source of time for the core.
    Tick {
        now: OffsetDateTime,
    },
    /// Threads from a thread-list poll (full or incremental: entries are upserted;
    /// a thread with `deletedOn` is removed).
    ThreadsListed {
        threads: Vec<ChatThreadItem>,
    },
    /// Thread properties: topic, and metadata with roles and stickiness.
    ThreadDetails {
        thread: ChatThreadProperties,
    },
    /// New or changed messages since the last poll, in any order.
    MessagesPolled {
        thread_id: String,
        messages: Vec<ChatMessage>,
    },
    /// A page of history (newest first, as the service lists it) and the link to the next one.
    OlderMessages {
        thread_id: String,
        messages: Vec<ChatMessage>,
        next_link: Option<String>,
    },
    Participants {
        thread_id: String,
        participants: Vec<ChatParticipant>,
    },
    ReadReceipts {
        thread_id: String,
        receipts: Vec<ChatMessageReadReceipt>,
    },
    /// Outcome of a [`Command::Send`] / [`Command::RetrySend`]: the message id or an error text.
    SendResult {
        thread_id: String,
        client_message_id: String,
        result: Result<String, String>,
    },
    /// Outcome of any other action; `what` is a short human description ("topic updated").
    ActionResult {
        what: String,
        result: Result<(), String>,
    },
    ThreadCreated {
        thread_id: String,
    },
    Connection(ConnectionState),
    /// A thread answered 403 or 404: the poller stopped polling it and leaves it out of
    /// later thread lists (until its activity moves and it answers again).
    ThreadGone {
        thread_id: String,
        reason: GoneReason,
    },
    /// Connected: who we are now (the first frame is drawn before that is known), and
    /// the thread to open first (e.g. the Quickstart thread), if any.
    SessionReady {
        profile: super::settings::ProfileInfo,
        open_thread: Option<String>,
    },
    /// Open this thread: as if the user chose it.
    FocusThread {
        thread_id: String,
    },
    /// Unsent messages restored from disk at start-up; the sender task already owns them.
    Outbox {
        thread_id: String,
        pending: Vec<PendingSend>,
    },
    /// Where the push connection stands (never sent when `[push] enabled = false`).
    PushState(PushState),
    /// A chat event pushed to us; `at` is when it arrived here (local clock), which
    /// times the typing indicator independently of the service's clock.
    Pushed {
        event: ChatEvent,
        at: OffsetDateTime,
    },
}

/// What the core asks the IO side to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    RingBell,
    /// Make this the open thread: poll it fast and load its first page, details,
    /// participants and read receipts.
    OpenThread {
        thread_id: String,
    },
    /// Load the next page of history (`next_link: None` = the first page).
    LoadOlder {
        thread_id: String,
        next_link: Option<String>,
    },
    Send(PendingSend),
    RetrySend {
        thread_id: String,
        client_message_id: String,
    },
    DiscardSend {
        thread_id: String,
        client_message_id: String,
    },
    EditMessage {
        thread_id: String,
        message_id: String,
        content: String,
    },
    DeleteMessage {
        thread_id: String,
        message_id: String,
    },
    /// `members` are profile names or raw ids (`8:...`); the creator is an Admin,
    /// the members Users (see `seed::thread_meta`).
    CreateThread {
        topic: String,
        members: Vec<String>,
        sticky: bool,
    },
    UpdateTopic {
        thread_id: String,
        topic: String,
    },
    /// `members` are profile names or raw ids (`8:...`).
    Invite {
        thread_id: String,
        members: Vec<String>,
    },
    /// `member` is a profile name or a raw id (`8:...`): the core resolves display
    /// names of current participants to their raw ids.
    Remove {
        thread_id: String,
        member: String,
    },
    Leave {
        thread_id: String,
    },
    FetchParticipants {
        thread_id: String,
    },
    SendTyping {
        thread_id: String,
    },
    SendReadReceipt {
        thread_id: String,
        message_id: String,
    },
    /// Push said this thread changed in a way only REST can tell in full (membership,
    /// a thread we have not listed yet, system messages): poll it, and the thread
    /// list, now.
    Refresh {
        thread_id: String,
    },
}
