//! `update` for the user's input: keys (through the keymap), bracketed paste, the mouse,
//! the compose box, slash commands and message actions.

use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui_textarea::CursorMove;

use super::{App, Command, Confirm, Overlay, PendingSend, Priority};
use crate::tui::commands::{self, Completion, SlashCommand};
use crate::tui::entry::{Body, LocalState, MsgKey};
use crate::tui::keymap::{self, Action, Mode};
use crate::tui::{layout, theme};

/// Lines the mouse wheel scrolls.
const WHEEL_LINES: usize = 3;

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let mode = self.mode();
        let action = keymap::action_for(mode, key);
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
    fn typed(&mut self, out: &mut Vec<Command>) {
        let Some(thread_id) = self.open.clone() else { return };
        if self.compose_text().starts_with('/') || self.editing.is_some() {
            return;
        }
        let now = self.now();
        if self.last_typing.is_some_and(|t| (now - t).whole_seconds() < super::TYPING_THROTTLE_SECS) {
            return;
        }
        self.last_typing = Some(now);
        out.push(Command::SendTyping { thread_id });
    }

    fn compose_action(&mut self, action: Action, out: &mut Vec<Command>) {
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
            Action::PrevThread | Action::NextThread | Action::JumpThread(_) => self.switch_thread(action, out),
            Action::ToggleParticipants => self.toggle_participants(out),
            Action::ToggleHelp => self.overlay = Overlay::Help { scroll: 0 },
            Action::TogglePriority => {
                self.priority = if self.priority == Priority::High { Priority::Normal } else { Priority::High };
            }
            Action::SelectMode => {
                if let Some(key) = self.open_thread().and_then(|t| t.conv.entries().last()).map(|e| e.key.clone()) {
                    self.overlay = Overlay::Select { key };
                }
            }
            Action::Search => self.overlay = Overlay::Search { query: String::new(), hit: None },
            Action::RetryFailed | Action::DiscardFailed => {
                let failed = self.open_thread().and_then(|t| t.conv.entries().iter().rev().find(|e| e.is_failed())).map(|e| e.key.clone());
                match failed {
                    Some(key) => self.pending_action(&key, action == Action::RetryFailed, out),
                    None => self.info("no failed message"),
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
            Action::Edit | Action::Delete | Action::Yes | Action::No | Action::Quit => {}
        }
    }

    fn up_key(&mut self) {
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

    fn down_key(&mut self) {
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

    fn edit_last_own(&mut self) {
        let own = self.profile.user_id.clone();
        let found = self.open_thread().and_then(|t| {
            let e = t.conv.last_editable_own(&own)?;
            let Body::Text(text) = &e.body else { return None };
            Some((t.id.clone(), e.id.clone()?, text.clone()))
        });
        if let Some((thread_id, message_id, text)) = found {
            self.set_compose(&text);
            self.editing = Some((thread_id, message_id));
        }
    }

    fn complete(&mut self) {
        let text = self.compose_text();
        let mut names: Vec<String> = self.profile.known_profiles.iter().map(|(n, _)| n.clone()).collect();
        if text.starts_with("/remove")
            && let Some(t) = self.open_thread()
        {
            names.extend(t.conv.participants.iter().filter(|m| !m.name.contains(' ')).map(|m| m.name.clone()));
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
    fn submit(&mut self, out: &mut Vec<Command>) {
        let text = self.compose_text();
        if text.trim().is_empty() {
            return;
        }
        if let Some((thread_id, message_id)) = self.editing.take() {
            out.push(Command::EditMessage { thread_id, message_id, content: text });
            self.set_compose("");
            return;
        }
        if let Some(parsed) = commands::parse(text.trim()) {
            match parsed {
                Ok(cmd) => {
                    self.remember(&text);
                    self.set_compose("");
                    self.run_command(cmd, out);
                }
                Err(e) => self.error(e.to_string()),
            }
            return;
        }
        let Some(thread_id) = self.open.clone() else {
            self.error(theme::NO_THREAD);
            return;
        };
        let pending = PendingSend {
            thread_id,
            client_message_id: self.ids.client_message_id(),
            content: commands::unescape_message(&text).to_owned(),
            priority: self.priority,
            display_name: self.profile.display_name.clone(),
            created_at: self.now(),
        };
        let own = self.profile.user_id.clone();
        if let Some(t) = self.open_thread_mut() {
            t.conv.add_pending(&pending, &own);
        }
        self.remember(&text);
        self.set_compose("");
        self.priority = Priority::Normal;
        self.scroll_to_bottom();
        out.push(Command::Send(pending));
    }

    fn remember(&mut self, text: &str) {
        if self.history.last().map(String::as_str) != Some(text) {
            self.history.push(text.to_owned());
        }
        self.history_pos = None;
    }

    fn run_command(&mut self, cmd: SlashCommand, out: &mut Vec<Command>) {
        let open = self.open.clone();
        let sticky = self.open_thread().is_some_and(|t| t.meta.sticky);
        match cmd {
            SlashCommand::New { topic, members, sticky } => {
                self.info(format!("creating “{}”…", crate::tui::sanitize::one_line(&topic)));
                out.push(Command::CreateThread { topic, members, sticky });
            }
            SlashCommand::Help => self.overlay = Overlay::Help { scroll: 0 },
            SlashCommand::Quit => self.quitting = true,
            SlashCommand::Members => self.toggle_participants(out),
            SlashCommand::Search(q) => {
                self.overlay = Overlay::Search { query: q, hit: None };
                self.search_step(true);
            }
            _ if open.is_none() => self.error(theme::NO_THREAD),
            SlashCommand::Invite(_) | SlashCommand::Remove(_) if sticky => self.error(theme::STICKY_REFUSAL),
            SlashCommand::Topic(topic) => out.push(Command::UpdateTopic { thread_id: open.unwrap_or_default(), topic }),
            SlashCommand::Invite(members) => out.push(Command::Invite { thread_id: open.unwrap_or_default(), members }),
            SlashCommand::Remove(who) => {
                let member = self.resolve_member(&who);
                out.push(Command::Remove { thread_id: open.unwrap_or_default(), member });
            }
            SlashCommand::Leave => self.overlay = Overlay::Confirm(Confirm::Leave { thread_id: open.unwrap_or_default() }),
        }
    }

    /// A participant's display name becomes their raw id; profile names and ids pass.
    fn resolve_member(&self, who: &str) -> String {
        if self.profile.known_profiles.iter().any(|(n, _)| n.eq_ignore_ascii_case(who)) {
            return who.to_owned();
        }
        self.open_thread()
            .and_then(|t| t.conv.participants.iter().find(|m| m.name.eq_ignore_ascii_case(who)))
            .map_or_else(|| who.to_owned(), |m| m.id.clone())
    }

    fn toggle_participants(&mut self, out: &mut Vec<Command>) {
        self.show_participants = !self.show_participants;
        if self.show_participants
            && let Some(thread_id) = self.open.clone()
        {
            out.push(Command::FetchParticipants { thread_id });
        }
    }

    fn switch_thread(&mut self, action: Action, out: &mut Vec<Command>) {
        let ids: Vec<String> = self.sorted_threads().iter().map(|t| t.id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        let cur = self.open.as_ref().and_then(|o| ids.iter().position(|i| i == o));
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

    fn help_action(&mut self, action: Action) {
        let Overlay::Help { scroll } = &mut self.overlay else { return };
        match action {
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll = scroll.saturating_add(10),
            _ => self.overlay = Overlay::None,
        }
    }

    fn confirm_action(&mut self, yes: bool, out: &mut Vec<Command>) {
        let Overlay::Confirm(what) = std::mem::take(&mut self.overlay) else { return };
        if !yes {
            return;
        }
        match what {
            Confirm::Paste(text) => self.insert_paste(&text, out),
            Confirm::Delete { thread_id, message_id } => out.push(Command::DeleteMessage { thread_id, message_id }),
            Confirm::Leave { thread_id } => {
                self.left.insert(thread_id.clone());
                self.threads.remove(&thread_id);
                if self.open.as_deref() == Some(thread_id.as_str()) {
                    self.open = None;
                    if let Some(next) = self.sorted_threads().first().map(|t| t.id.clone()) {
                        self.open_thread_id(&next, out);
                    }
                }
                out.push(Command::Leave { thread_id });
            }
        }
    }

    fn select_action(&mut self, action: Action, out: &mut Vec<Command>) {
        let Overlay::Select { key } = self.overlay.clone() else { return };
        let Some(t) = self.open_thread() else {
            self.overlay = Overlay::None;
            return;
        };
        let idx = t.conv.index_of(&key).unwrap_or_else(|i| i.min(t.conv.len().saturating_sub(1)));
        let own = self.profile.user_id.clone();
        let entry = t.conv.get(idx).cloned();
        let thread_id = t.id.clone();
        let mine_sent = entry.as_ref().filter(|e| e.sender_id.as_deref() == Some(own.as_str()) && !e.deleted && !e.is_system());
        match action {
            Action::Up | Action::Down => {
                let next = if action == Action::Up { idx.saturating_sub(1) } else { (idx + 1).min(t.conv.len().saturating_sub(1)) };
                if let Some(e) = t.conv.get(next) {
                    let key = e.key.clone();
                    self.scroll_to_key(&key);
                    self.overlay = Overlay::Select { key };
                }
            }
            Action::Edit => match mine_sent.and_then(|e| Some((e.id.clone()?, e.body.clone()))) {
                Some((message_id, Body::Text(text))) if entry.as_ref().is_some_and(|e| e.local.is_none()) => {
                    self.overlay = Overlay::None;
                    self.set_compose(&text);
                    self.editing = Some((thread_id, message_id));
                }
                _ => self.info("only your own sent messages can be edited"),
            },
            Action::Delete => match mine_sent.filter(|e| e.local.is_none()).and_then(|e| e.id.clone()) {
                Some(message_id) => self.overlay = Overlay::Confirm(Confirm::Delete { thread_id, message_id }),
                None => self.info("only your own sent messages can be deleted"),
            },
            Action::RetryFailed | Action::DiscardFailed => {
                if entry.as_ref().is_some_and(|e| e.local.is_some() && !matches!(e.local, Some(LocalState::Sent))) {
                    self.pending_action(&key, action == Action::RetryFailed, out);
                    self.overlay = Overlay::None;
                } else {
                    self.info("only unsent messages can be retried or discarded");
                }
            }
            _ => self.overlay = Overlay::None,
        }
    }

    /// Retry or discard the pending send with `key`.
    fn pending_action(&mut self, key: &MsgKey, retry: bool, out: &mut Vec<Command>) {
        let Some(t) = self.open_thread_mut() else { return };
        let Some(client_message_id) = t.conv.index_of(key).ok().and_then(|i| t.conv.get(i)).and_then(|e| e.client_id.clone()) else {
            return;
        };
        let thread_id = t.id.clone();
        if retry {
            t.conv.mark_sending(&client_message_id);
            out.push(Command::RetrySend { thread_id, client_message_id });
        } else {
            t.conv.discard(&client_message_id);
            out.push(Command::DiscardSend { thread_id, client_message_id });
        }
        if self.notice.as_ref().is_some_and(|n| n.is_error) {
            self.notice = None;
        }
    }

    fn search_key(&mut self, action: Option<Action>, key: KeyEvent) {
        match action {
            Some(Action::Up) => self.search_step(true),
            Some(Action::Down) => self.search_step(false),
            Some(Action::Send) => self.overlay = Overlay::None,
            Some(Action::Cancel) => {
                self.overlay = Overlay::None;
                self.scroll_to_bottom();
            }
            _ => {
                let Overlay::Search { query, hit } = &mut self.overlay else { return };
                match key.code {
                    crossterm::event::KeyCode::Backspace => {
                        query.pop();
                    }
                    crossterm::event::KeyCode::Char(c) if !key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => query.push(c),
                    _ => return,
                }
                *hit = None;
                self.search_step(true);
            }
        }
    }

    /// Moves the search hit to the next older (or newer) match and scrolls to it.
    fn search_step(&mut self, older: bool) {
        let Overlay::Search { query, hit } = self.overlay.clone() else { return };
        let Some(t) = self.open_thread() else { return };
        let from = hit.as_ref().and_then(|k| t.conv.index_of(k).ok());
        match t.conv.find(&query, from, older).and_then(|i| t.conv.get(i)).map(|e| e.key.clone()) {
            Some(key) => {
                self.scroll_to_key(&key);
                self.overlay = Overlay::Search { query, hit: Some(key) };
            }
            None if !query.is_empty() => self.info(format!("no {} match for “{query}”", if older { "older" } else { "newer" })),
            None => {}
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

    fn insert_paste(&mut self, text: &str, out: &mut Vec<Command>) {
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
