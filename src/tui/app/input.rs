//! `update` for the user's input: keys (through the keymap), bracketed paste, the mouse
//! and the compose box (history, edit-last, completion, typing notifications).

use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui_textarea::CursorMove;

use super::{App, Command, Confirm, Overlay, Priority};
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
                    self.history_pos = None;
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
        if self.compose_text().starts_with('/') || self.editing.is_some() {
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
                if self.editing.take().is_some() {
                    self.set_compose("");
                } else if self.notice.is_some() {
                    self.notice = None;
                } else {
                    self.scroll_to_bottom();
                }
            }
            Action::KillLineStart => {
                self.compose.delete_line_by_head();
            }
            Action::Undo => {
                self.compose.undo();
            }
            Action::Edit | Action::Delete | Action::Yes | Action::No | Action::Quit => {}
        }
    }

    pub(super) fn up_key(&mut self) {
        if self.compose.is_empty() && self.editing.is_none() {
            self.edit_last_own();
            return;
        }
        if self.compose.cursor().0 == 0 && !self.history.is_empty() {
            let pos = match self.history_pos {
                None => {
                    self.history_draft = self.compose_text();
                    self.history.len() - 1
                }
                Some(p) => p.saturating_sub(1),
            };
            self.history_pos = Some(pos);
            let text = self.history[pos].clone();
            self.set_compose(&text);
            return;
        }
        self.compose.move_cursor(CursorMove::Up);
    }

    pub(super) fn down_key(&mut self) {
        let last_row = self.compose.lines().len().saturating_sub(1);
        if self.compose.cursor().0 >= last_row
            && let Some(p) = self.history_pos
        {
            if p + 1 < self.history.len() {
                self.history_pos = Some(p + 1);
                let text = self.history[p + 1].clone();
                self.set_compose(&text);
            } else {
                self.history_pos = None;
                let draft = std::mem::take(&mut self.history_draft);
                self.set_compose(&draft);
            }
            return;
        }
        self.compose.move_cursor(CursorMove::Down);
    }

    pub(super) fn edit_last_own(&mut self) {
        let own = self.profile.user_id.clone();
        let found = self.open_thread().and_then(|t| {
            let e = t.conv.last_editable_own(&own)?;
            let Body::Text(text) = &e.body else {
                return None;
            };
            Some((t.id.clone(), e.id.clone()?, text.clone()))
        });
        if let Some((thread_id, message_id, text)) = found {
            self.set_compose(&text);
            self.editing = Some((thread_id, message_id));
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
            Completion::Replace(line) => self.set_compose(&line),
            Completion::Candidates(c) => self.info(c.join("  ")),
            Completion::None => {}
        }
    }

    /// Enter in the compose box: save an edit, run a command, or send.
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
