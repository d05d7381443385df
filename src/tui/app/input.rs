//! `update` for the user's input: keys (through the keymap), bracketed paste, the mouse
//! and the compose box (history, edit-last, completion, typing notifications).

use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui_textarea::CursorMove;

use super::{App, Command, ComposeState, Confirm, Overlay, Priority};
use crate::tui::commands::{self, Completion};
use crate::tui::entry::Body;
use crate::tui::keymap::{self, Action, Mode};
use crate::tui::{layout, theme};

/// Lines the mouse wheel scrolls.
const WHEEL_LINES: usize = 3;

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let mode = self.mode();
        let action = keymap::action_with(mode, key, &self.settings.keys);
        match (mode, action) {
            (_, Some(Action::Quit)) => self.quitting = true,
            (Mode::Compose, Some(a)) => self.compose_action(a, out),
            (Mode::Compose, None) => {
                if self.compose.input(key) {
                    self.leave_history(false);
                    self.typed(out);
                }
            }
            (Mode::Help, Some(a)) => self.help_action(a),
            (Mode::Confirm, Some(a)) => self.confirm_action(a == Action::Yes, out),
            (Mode::Select, Some(a)) => self.select_action(a, out),
            (Mode::Search, a) => self.search_key(a, key),
            (_, None) => {}
        }
    }

    /// Throttled typing notification for the open thread (not for slash commands).
    pub(super) fn typed(&mut self, out: &mut Vec<Command>) {
        let Some(thread_id) = self.open.clone() else {
            return;
        };
        let editing = matches!(self.compose_state, ComposeState::Editing { .. });
        if self.compose_text().starts_with('/') || editing {
            return;
        }
        let now = self.now();
        if self
            .last_typing
            .is_some_and(|t| (now - t).whole_seconds() < super::TYPING_THROTTLE_SECS)
        {
            return;
        }
        self.last_typing = Some(now);
        out.push(Command::SendTyping { thread_id });
    }

    pub(super) fn compose_action(&mut self, action: Action, out: &mut Vec<Command>) {
        match action {
            Action::Send => self.submit(out),
            Action::Newline => {
                self.leave_history(false);
                self.compose.insert_newline();
                self.typed(out);
            }
            Action::Complete => self.complete(),
            Action::Up => self.up_key(),
            Action::Down => self.down_key(),
            Action::PageUp => self.scroll_up(self.page_rows(), out),
            Action::PageDown => self.scroll_down(self.page_rows()),
            Action::ScrollToBottom => self.scroll_to_bottom(),
            Action::PrevThread | Action::NextThread | Action::JumpThread(_) => {
                self.switch_thread(action, out)
            }
            Action::ToggleParticipants => self.toggle_participants(out),
            Action::ToggleHelp => self.overlay = Overlay::Help { scroll: 0 },
            Action::TogglePriority => {
                self.priority = if self.priority == Priority::High {
                    Priority::Normal
                } else {
                    Priority::High
                };
            }
            Action::SelectMode => {
                if let Some(key) = self
                    .open_thread()
                    .and_then(|t| t.conv.last())
                    .map(|e| e.key.clone())
                {
                    self.overlay = Overlay::Select { key };
                }
            }
            Action::Search => {
                self.overlay = Overlay::Search {
                    query: String::new(),
                    hit: None,
                }
            }
            Action::RetryFailed | Action::DiscardFailed => {
                let failed = self
                    .open_thread()
                    .and_then(|t| {
                        // Unsent messages are all at the end: stop at the first sent one.
                        let mut unsent = t
                            .conv
                            .entries()
                            .iter()
                            .rev()
                            .take_while(|e| e.local.is_some());
                        unsent.find(|e| e.is_failed())
                    })
                    .map(|e| e.key.clone());
                match failed {
                    Some(key) => self.pending_action(&key, action == Action::RetryFailed, out),
                    None => self.info(theme::NO_FAILED),
                }
            }
            Action::Cancel => {
                if matches!(self.compose_state, ComposeState::Editing { .. }) {
                    self.end_edit();
                } else if matches!(self.compose_state, ComposeState::History { .. }) {
                    self.leave_history(true);
                } else if self.notice.is_some() {
                    self.notice = None;
                } else {
                    self.scroll_to_bottom();
                }
            }
            Action::KillLineStart => {
                self.leave_history(false);
                self.compose.delete_line_by_head();
            }
            Action::Undo => {
                self.leave_history(false);
                self.compose.undo();
            }
            Action::Edit | Action::Delete | Action::Yes | Action::No | Action::Quit => {}
        }
    }

    /// Up: cursor movement while editing; in an empty box, edit the last own message
    /// (or, with none, recall the history); on the first line, the previous history line.
    pub(super) fn up_key(&mut self) {
        let on_first_row = self.compose.cursor().0 == 0;
        match &self.compose_state {
            ComposeState::Editing { .. } => {}
            ComposeState::History { pos, .. } if on_first_row => {
                let pos = pos.saturating_sub(1);
                self.show_history(pos);
                return;
            }
            ComposeState::History { .. } => {}
            ComposeState::New => {
                if self.compose.is_empty() && self.edit_last_own() {
                    return;
                }
                if on_first_row && let Some(pos) = self.history.len().checked_sub(1) {
                    let draft = self.compose_text();
                    self.compose_state = ComposeState::History { pos, draft };
                    self.show_history(pos);
                    return;
                }
            }
        }
        self.compose.move_cursor(CursorMove::Up);
    }

    /// Down: on the last line of a recalled line, the next one, then the draft again.
    pub(super) fn down_key(&mut self) {
        let last_row = self.compose.lines().len().saturating_sub(1);
        if self.compose.cursor().0 >= last_row
            && let ComposeState::History { pos, .. } = &self.compose_state
        {
            let next = pos.saturating_add(1);
            if next < self.history.len() {
                self.show_history(next);
            } else {
                self.leave_history(true);
            }
            return;
        }
        self.compose.move_cursor(CursorMove::Down);
    }

    /// Puts history line `pos` in the box (the state must be `History`).
    fn show_history(&mut self, pos: usize) {
        let Some(text) = self.history.get(pos).cloned() else {
            return;
        };
        if let ComposeState::History { pos: p, .. } = &mut self.compose_state {
            *p = pos;
        }
        self.set_compose(&text);
    }

    /// Ends a history recall: with `restore` the draft comes back, otherwise the
    /// recalled line stays as a new message (the user changed it).
    pub(super) fn leave_history(&mut self, restore: bool) {
        let ComposeState::History { draft, .. } = &self.compose_state else {
            return;
        };
        if restore {
            let draft = draft.clone();
            self.set_compose(&draft);
        }
        self.compose_state = ComposeState::New;
    }

    /// What the box held before any recall or edit began.
    fn draft(&self) -> String {
        match &self.compose_state {
            ComposeState::New => self.compose_text(),
            ComposeState::History { draft, .. } | ComposeState::Editing { draft, .. } => {
                draft.clone()
            }
        }
    }

    /// Starts editing a sent message; what the box held comes back when the edit ends.
    pub(super) fn start_edit(&mut self, thread_id: String, message_id: String, text: &str) {
        let draft = self.draft();
        self.set_compose(text);
        self.compose_state = ComposeState::Editing {
            thread_id,
            message_id,
            draft,
        };
    }

    /// Ends an edit (saved or cancelled): the box gets its draft back.
    pub(super) fn end_edit(&mut self) {
        if let ComposeState::Editing { draft, .. } = std::mem::take(&mut self.compose_state) {
            self.set_compose(&draft);
        }
    }

    /// Lines in the input history (for the compose box title).
    pub fn history_len(&self) -> usize {
        self.history.len()
    }

    /// Edits the newest own text message of the open thread; false when there is none.
    pub(super) fn edit_last_own(&mut self) -> bool {
        let own = self.profile.user_id.clone();
        let found = self.open_thread().and_then(|t| {
            let e = t.conv.last_editable_own(&own)?;
            let Body::Text(text) = &e.body else {
                return None;
            };
            Some((t.id.clone(), e.id.clone()?, text.clone()))
        });
        match found {
            Some((thread_id, message_id, text)) => {
                self.start_edit(thread_id, message_id, &text);
                true
            }
            None => false,
        }
    }

    pub(super) fn complete(&mut self) {
        let text = self.compose_text();
        let mut names: Vec<String> = self
            .profile
            .known_profiles
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        if text.starts_with("/remove")
            && let Some(t) = self.open_thread()
        {
            names.extend(
                t.conv
                    .participants
                    .iter()
                    .filter(|m| !m.name.contains(' '))
                    .map(|m| m.name.clone()),
            );
        }
        names.sort();
        names.dedup();
        match commands::complete(&text, &names) {
            Completion::Replace(line) => {
                self.leave_history(false);
                self.set_compose(&line);
            }
            Completion::Candidates(c) => self.info(c.join("  ")),
            Completion::None => {}
        }
    }

    pub(super) fn switch_thread(&mut self, action: Action, out: &mut Vec<Command>) {
        let ids: Vec<String> = self.sorted_threads().iter().map(|t| t.id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        let cur = self
            .open
            .as_ref()
            .and_then(|o| ids.iter().position(|i| i == o));
        let target = match (action, cur) {
            (Action::JumpThread(n), _) => n,
            (Action::PrevThread, Some(c)) => c.checked_sub(1).unwrap_or(ids.len() - 1),
            (Action::NextThread, Some(c)) => (c + 1) % ids.len(),
            _ => 0,
        };
        if let Some(id) = ids.get(target) {
            self.open_thread_id(&id.clone(), out);
        }
    }

    pub(super) fn on_paste(&mut self, text: &str, out: &mut Vec<Command>) {
        // Pasted text is the user's, but it may carry escapes from wherever it was copied.
        let clean = crate::tui::sanitize::message_text(text);
        if self.mode() != Mode::Compose {
            if let Overlay::Search { query, .. } = &mut self.overlay {
                query.push_str(&crate::tui::sanitize::one_line(&clean));
            }
            return;
        }
        let lines = clean.lines().count();
        if lines > self.settings.paste_confirm_lines {
            self.overlay = Overlay::Confirm(Confirm::Paste(clean));
        } else {
            self.insert_paste(&clean, out);
        }
    }

    pub(super) fn insert_paste(&mut self, text: &str, out: &mut Vec<Command>) {
        self.leave_history(false);
        self.compose.insert_str(text);
        self.typed(out);
    }

    pub(super) fn on_mouse(&mut self, m: MouseEvent, out: &mut Vec<Command>) {
        match m.kind {
            MouseEventKind::ScrollUp => match &mut self.overlay {
                Overlay::Help { scroll } => *scroll = scroll.saturating_sub(WHEEL_LINES as u16),
                _ => self.scroll_up(WHEEL_LINES, out),
            },
            MouseEventKind::ScrollDown => match &mut self.overlay {
                Overlay::Help { scroll } => *scroll = scroll.saturating_add(WHEEL_LINES as u16),
                _ => self.scroll_down(WHEEL_LINES),
            },
            MouseEventKind::Down(MouseButton::Left) if self.overlay == Overlay::None => {
                let areas = layout::Areas::compute(self);
                if let Some(idx) = areas.thread_at(self, m.column, m.row)
                    && let Some(id) = self.sorted_threads().get(idx).map(|t| t.id.clone())
                {
                    self.open_thread_id(&id, out);
                }
            }
            _ => {}
        }
    }
}
