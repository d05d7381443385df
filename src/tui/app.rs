//! The interactive client's state and its pure `update` function.
//!
//! [`App`] is plain data; [`App::update`] turns one [`Event`] into state changes and a
//! list of [`Command`]s for the IO side. It never does IO, never awaits and never reads
//! the clock: time comes from [`Event::Tick`]. The view (`view::draw`) only reads it.
//!
//! The submodules split `update` by concern: `input` (keys, paste, mouse, the compose
//! box), `submit` (Enter: send, edit, slash commands), `modes` (help, confirmations,
//! selection, search), `network` (poller and sender results) and `scroll` (the message
//! pane position and read receipts, which depend on what is visible).

mod input;
mod modes;
mod network;
mod push;
mod scroll;
mod submit;

pub use push::{TYPING_SHOWN_SECS, Typist};
pub(crate) use scroll::resolve as scroll_resolve;

use std::collections::{BTreeMap, HashSet};

use ratatui_textarea::TextArea;
use time::OffsetDateTime;

use super::conversation::{Conversation, StatusLabels};
use super::entry::MsgKey;
pub use super::event::{Command, ConnectionState, Event, GoneReason, PendingSend, Priority};
use super::ids::IdGenerator;
use super::keymap::Mode;
pub use super::settings::{ProfileInfo, ThreadSort, TimeFormat, UiSettings};
use crate::seed::thread_meta::ThreadMeta;

/// Seconds an error stays in the error bar (Esc clears it sooner).
const ERROR_SECS: i64 = 15;
/// Seconds an informational notice stays.
const INFO_SECS: i64 = 6;
/// Seconds after which an unanswered history request may be sent again.
const HISTORY_TIMEOUT_SECS: i64 = 20;
/// Minimum seconds between two typing notifications.
pub const TYPING_THROTTLE_SECS: i64 = 8;

/// One thread in the list, with its conversation.
#[derive(Debug, Clone, Default)]
pub struct ThreadState {
    pub id: String,
    /// Sanitized topic.
    pub topic: String,
    pub last_activity: Option<OffsetDateTime>,
    /// Messages from others that arrived since the thread was last open.
    pub unread: usize,
    /// The thread list reported activity that no polled message has explained yet.
    pub activity: bool,
    /// Messages created at or before this are not counted as unread (history at start-up).
    baseline: Option<OffsetDateTime>,
    /// Newest activity the bell already rang for.
    rung_for: Option<OffsetDateTime>,
    pub meta: ThreadMeta,
    pub conv: Conversation,
    /// The thread can no longer be read (kept, marked, only while it is open).
    pub gone: Option<GoneReason>,
    /// Newest message a read receipt was sent for.
    receipt_sent: Option<MsgKey>,
    /// Who is typing, by sender id (only push tells).
    pub typing: BTreeMap<String, Typist>,
}

impl ThreadState {
    fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            ..Self::default()
        }
    }
}

/// Which question a confirmation dialog asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Paste(String),
    Delete {
        thread_id: String,
        message_id: String,
    },
    Leave {
        thread_id: String,
    },
}

/// A modal layer over the normal compose mode.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    /// Selecting a message (for edit / delete / retry / discard).
    Select {
        key: MsgKey,
    },
    Search {
        query: String,
        hit: Option<MsgKey>,
    },
}

/// What the compose box holds: one state, so an edit and a history recall never mix.
/// The box's text is the edit, the recalled line or the new message itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ComposeState {
    /// A new message or command.
    #[default]
    New,
    /// Showing input history line `pos`; `draft` comes back on Esc or Down past the end.
    History { pos: usize, draft: String },
    /// Editing a sent message: Enter saves, Esc cancels; `draft` (what the box held
    /// before) comes back either way.
    Editing {
        thread_id: String,
        message_id: String,
        draft: String,
    },
}

/// The message pane's position: `None` follows the newest message; otherwise the
/// bottom row of the pane is `offset` rows above the bottom of the entry `bottom`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScrollPos {
    pub bottom: Option<MsgKey>,
    pub offset: usize,
    /// Messages arrived while scrolled away from the bottom ("new messages ↓").
    pub new_below: bool,
}

/// A notice in the bar above the compose box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
    pub until: Option<OffsetDateTime>,
}

/// The whole client state.
#[derive(Debug, Clone)]
pub struct App {
    /// Who we are (replaced by [`Event::SessionReady`]).
    pub profile: ProfileInfo,
    pub settings: UiSettings,
    /// Every known thread by id, with its conversation.
    pub threads: BTreeMap<String, ThreadState>,
    /// Threads the user left: ignored if a late poll lists them again.
    left: HashSet<String>,
    /// The thread shown in the message pane.
    pub open: Option<String>,
    /// Whether a thread list arrived yet (the first one is the unread baseline).
    listed_once: bool,
    /// The multi-line compose box (it also owns its cursor and undo history).
    pub compose: TextArea<'static>,
    /// Priority of the next message sent.
    pub priority: Priority,
    /// New message, history recall or edit.
    pub compose_state: ComposeState,
    /// Sent lines and commands, oldest first, for Up/Down recall.
    history: Vec<String>,
    /// The modal layer, if any (help, confirmation, selection, search).
    pub overlay: Overlay,
    /// Message pane position.
    pub scroll: ScrollPos,
    /// The participant pane is toggled on.
    pub show_participants: bool,
    /// Terminal size from the last [`Event::Resize`].
    pub size: (u16, u16),
    /// Time of the last [`Event::Tick`].
    pub now: Option<OffsetDateTime>,
    pub connection: Option<ConnectionState>,
    /// The push connection's last state; `None` while push is off.
    pub push: Option<super::event::PushState>,
    /// Error or information for the notice line.
    pub notice: Option<Notice>,
    /// When the last typing notification was sent (for the throttle).
    last_typing: Option<OffsetDateTime>,
    ids: IdGenerator,
    quitting: bool,
    /// Topic of the thread being created by `/new`, shown until the service lists it.
    creating: Option<String>,
}

impl App {
    /// A fresh client: no threads yet, compose box focused, 80x24 until the first resize.
    pub fn new(profile: ProfileInfo, settings: UiSettings) -> Self {
        let ids = IdGenerator::new(settings.id_seed);
        let mut compose = TextArea::default();
        compose.set_placeholder_text(super::theme::COMPOSE_PLACEHOLDER);
        compose.set_cursor_line_style(ratatui::style::Style::new());
        compose.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        Self {
            profile,
            settings,
            threads: BTreeMap::new(),
            left: HashSet::new(),
            open: None,
            listed_once: false,
            compose,
            priority: Priority::Normal,
            compose_state: ComposeState::New,
            history: Vec::new(),
            overlay: Overlay::None,
            scroll: ScrollPos::default(),
            show_participants: false,
            size: (80, 24),
            now: None,
            connection: None,
            push: None,
            notice: None,
            last_typing: None,
            ids,
            quitting: false,
            creating: None,
        }
    }

    /// Applies one event; returns what the IO side must do. Pure.
    pub fn update(&mut self, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        match event {
            Event::Key(key) => self.on_key(key, &mut out),
            Event::Paste(text) => self.on_paste(&text, &mut out),
            Event::Mouse(m) => self.on_mouse(m, &mut out),
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.clamp_scroll();
            }
            Event::Tick { now } => self.on_tick(now),
            Event::PushState(state) => self.on_push_state(state),
            Event::Pushed { event, at } => self.on_pushed(event, at, &mut out),
            other => self.on_network(other, &mut out),
        }
        self.send_read_receipt(&mut out);
        if self.quitting && !out.contains(&Command::Quit) {
            out.push(Command::Quit);
        }
        out
    }

    fn on_tick(&mut self, now: OffsetDateTime) {
        self.ids.mix(now.unix_timestamp_nanos() as u64);
        self.now = Some(now);
        self.expire_typing(now);
        if self
            .notice
            .as_ref()
            .and_then(|n| n.until)
            .is_some_and(|u| now >= u)
        {
            self.notice = None;
        }
        if let Some(t) = self.open.as_ref().and_then(|id| self.threads.get_mut(id)) {
            let h = &mut t.conv.history;
            let stale = h
                .requested_at
                .is_none_or(|at| (now - at).whole_seconds() >= HISTORY_TIMEOUT_SECS);
            if h.loading && stale {
                h.loading = false;
            }
        }
    }

    /// The time of the last tick (the Unix epoch before the first one).
    pub fn now(&self) -> OffsetDateTime {
        self.now.unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        let until = self.now.map(|n| n + time::Duration::seconds(ERROR_SECS));
        self.notice = Some(Notice {
            text: super::sanitize::one_line(&text.into()),
            is_error: true,
            until,
        });
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        let until = self.now.map(|n| n + time::Duration::seconds(INFO_SECS));
        self.notice = Some(Notice {
            text: super::sanitize::one_line(&text.into()),
            is_error: false,
            until,
        });
    }

    /// The input mode the keymap uses.
    pub fn mode(&self) -> Mode {
        match self.overlay {
            Overlay::None => Mode::Compose,
            Overlay::Help { .. } => Mode::Help,
            Overlay::Confirm(_) => Mode::Confirm,
            Overlay::Select { .. } => Mode::Select,
            Overlay::Search { .. } => Mode::Search,
        }
    }

    pub fn open_thread(&self) -> Option<&ThreadState> {
        self.open.as_ref().and_then(|id| self.threads.get(id))
    }

    fn open_thread_mut(&mut self) -> Option<&mut ThreadState> {
        self.open.as_ref().and_then(|id| self.threads.get_mut(id))
    }

    /// Threads in list order (per the sort setting).
    pub fn sorted_threads(&self) -> Vec<&ThreadState> {
        let mut v: Vec<&ThreadState> = self.threads.values().collect();
        let recent = |t: &ThreadState| std::cmp::Reverse(t.last_activity);
        match self.settings.sort {
            ThreadSort::UnreadFirst => v.sort_by_key(|t| {
                (
                    t.unread == 0 && !t.activity,
                    recent(t),
                    t.topic.to_lowercase(),
                )
            }),
            ThreadSort::RecentFirst => v.sort_by_key(|t| (recent(t), t.topic.to_lowercase())),
        }
        v
    }

    /// Delivery statuses of the open thread.
    pub fn status_labels(&self) -> StatusLabels {
        self.open_thread()
            .map(|t| t.conv.status_labels())
            .unwrap_or_default()
    }

    /// Opens a thread: resets scroll and unread, asks the IO side to load it.
    fn open_thread_id(&mut self, thread_id: &str, out: &mut Vec<Command>) {
        if self.open.as_deref() == Some(thread_id) {
            return;
        }
        // A gone thread stays only while it is open: its history, and why it stopped.
        if let Some(prev) = self.open.take()
            && self.threads.get(&prev).is_some_and(|t| t.gone.is_some())
        {
            self.threads.remove(&prev);
        }
        self.threads
            .entry(thread_id.to_owned())
            .or_insert_with(|| ThreadState::new(thread_id));
        self.open = Some(thread_id.to_owned());
        self.scroll = ScrollPos::default();
        self.overlay = Overlay::None;
        if matches!(self.compose_state, ComposeState::Editing { .. }) {
            self.end_edit();
        }
        if let Some(t) = self.threads.get_mut(thread_id) {
            t.unread = 0;
            t.activity = false;
            // Everything up to now is read: a history page that lands after the user
            // moved on is not news.
            t.baseline = t.baseline.max(t.last_activity);
        }
        out.push(Command::OpenThread {
            thread_id: thread_id.to_owned(),
        });
        out.push(Command::FetchParticipants {
            thread_id: thread_id.to_owned(),
        });
    }

    /// Display name of a user for system messages and receipts.
    pub fn name_of(&self, user_id: &str) -> String {
        if user_id == self.profile.user_id && !self.profile.display_name.is_empty() {
            return super::sanitize::one_line(&self.profile.display_name);
        }
        if let Some(n) = self.open_thread().and_then(|t| t.conv.name_of(user_id)) {
            return n.to_owned();
        }
        self.profile
            .known_profiles
            .iter()
            .find(|(_, id)| id == user_id)
            .map(|(n, _)| super::sanitize::one_line(n))
            .unwrap_or_else(|| super::theme::UNKNOWN_SENDER.to_owned())
    }

    fn set_compose(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let mut ta = TextArea::new(lines);
        ta.set_placeholder_text(super::theme::COMPOSE_PLACEHOLDER);
        ta.set_cursor_line_style(ratatui::style::Style::new());
        ta.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        ta.move_cursor(ratatui_textarea::CursorMove::Bottom);
        ta.move_cursor(ratatui_textarea::CursorMove::End);
        self.compose = ta;
    }

    /// The compose box's text.
    pub fn compose_text(&self) -> String {
        self.compose.lines().join("\n")
    }
}

#[cfg(test)]
mod tests;
