//! `update` for the modal layers: help, confirmation dialogs, message selection
//! (edit / delete / retry / discard) and search.

use crossterm::event::KeyEvent;

use super::{App, Command, Confirm, Overlay};
use crate::tui::entry::{Body, LocalState, MsgKey};
use crate::tui::keymap::Action;
use crate::tui::theme;

impl App {
    pub(super) fn help_action(&mut self, action: Action) {
        let Overlay::Help { scroll } = &mut self.overlay else {
            return;
        };
        match action {
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll = scroll.saturating_add(10),
            _ => self.overlay = Overlay::None,
        }
    }

    pub(super) fn confirm_action(&mut self, yes: bool, out: &mut Vec<Command>) {
        let Overlay::Confirm(what) = std::mem::take(&mut self.overlay) else {
            return;
        };
        if !yes {
            return;
        }
        match what {
            Confirm::Paste(text) => self.insert_paste(&text, out),
            Confirm::Delete {
                thread_id,
                message_id,
            } => out.push(Command::DeleteMessage {
                thread_id,
                message_id,
            }),
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

    pub(super) fn select_action(&mut self, action: Action, out: &mut Vec<Command>) {
        let Overlay::Select { key } = self.overlay.clone() else {
            return;
        };
        let Some(t) = self.open_thread() else {
            self.overlay = Overlay::None;
            return;
        };
        let idx = t
            .conv
            .index_of(&key)
            .unwrap_or_else(|i| i.min(t.conv.len().saturating_sub(1)));
        let own = self.profile.user_id.clone();
        let entry = t.conv.get(idx).cloned();
        let thread_id = t.id.clone();
        let mine_sent = entry.as_ref().filter(|e| {
            e.sender_id.as_deref() == Some(own.as_str()) && !e.deleted && !e.is_system()
        });
        match action {
            Action::Up | Action::Down => {
                let next = if action == Action::Up {
                    idx.saturating_sub(1)
                } else {
                    (idx + 1).min(t.conv.len().saturating_sub(1))
                };
                if let Some(e) = t.conv.get(next) {
                    let key = e.key.clone();
                    self.scroll_to_key(&key);
                    self.overlay = Overlay::Select { key };
                }
            }
            Action::Edit => match mine_sent.and_then(|e| Some((e.id.clone()?, e.body.clone()))) {
                Some((message_id, Body::Text(text)))
                    if entry.as_ref().is_some_and(|e| e.local.is_none()) =>
                {
                    self.overlay = Overlay::None;
                    self.start_edit(thread_id, message_id, &text);
                }
                _ => self.info(theme::ONLY_OWN_EDIT),
            },
            Action::Delete => match mine_sent
                .filter(|e| e.local.is_none())
                .and_then(|e| e.id.clone())
            {
                Some(message_id) => {
                    self.overlay = Overlay::Confirm(Confirm::Delete {
                        thread_id,
                        message_id,
                    })
                }
                None => self.info(theme::ONLY_OWN_DELETE),
            },
            Action::RetryFailed | Action::DiscardFailed => {
                if entry.as_ref().is_some_and(|e| {
                    e.local.is_some() && !matches!(e.local, Some(LocalState::Sent))
                }) {
                    self.pending_action(&key, action == Action::RetryFailed, out);
                    self.overlay = Overlay::None;
                } else {
                    self.info(theme::ONLY_UNSENT);
                }
            }
            _ => self.overlay = Overlay::None,
        }
    }

    /// Retry or discard the pending send with `key`.
    pub(super) fn pending_action(&mut self, key: &MsgKey, retry: bool, out: &mut Vec<Command>) {
        let Some(t) = self.open_thread_mut() else {
            return;
        };
        let Some(client_message_id) = t
            .conv
            .index_of(key)
            .ok()
            .and_then(|i| t.conv.get(i))
            .and_then(|e| e.client_id.clone())
        else {
            return;
        };
        let thread_id = t.id.clone();
        if retry {
            t.conv.mark_sending(&client_message_id);
            out.push(Command::RetrySend {
                thread_id,
                client_message_id,
            });
        } else {
            t.conv.discard(&client_message_id);
            out.push(Command::DiscardSend {
                thread_id,
                client_message_id,
            });
        }
        if self.notice.as_ref().is_some_and(|n| n.is_error) {
            self.notice = None;
        }
    }

    pub(super) fn search_key(&mut self, action: Option<Action>, key: KeyEvent) {
        match action {
            Some(Action::Up) => self.search_step(true),
            Some(Action::Down) => self.search_step(false),
            Some(Action::Send) => self.overlay = Overlay::None,
            Some(Action::Cancel) => {
                self.overlay = Overlay::None;
                self.scroll_to_bottom();
            }
            _ => {
                let Overlay::Search { query, hit } = &mut self.overlay else {
                    return;
                };
                match key.code {
                    crossterm::event::KeyCode::Backspace => {
                        query.pop();
                    }
                    crossterm::event::KeyCode::Char(c)
                        if !key
                            .modifiers
                            .contains(crossterm::event::KeyModifiers::CONTROL) =>
                    {
                        query.push(c)
                    }
                    _ => return,
                }
                *hit = None;
                self.search_step(true);
            }
        }
    }

    /// Moves the search hit to the next older (or newer) match and scrolls to it.
    pub(super) fn search_step(&mut self, older: bool) {
        let Overlay::Search { query, hit } = self.overlay.clone() else {
            return;
        };
        let Some(t) = self.open_thread() else { return };
        let from = hit.as_ref().and_then(|k| t.conv.index_of(k).ok());
        match t
            .conv
            .find(&query, from, older)
            .and_then(|i| t.conv.get(i))
            .map(|e| e.key.clone())
        {
            Some(key) => {
                self.scroll_to_key(&key);
                self.overlay = Overlay::Search {
                    query,
                    hit: Some(key),
                };
            }
            None if !query.is_empty() => self.info(theme::no_search_match(older, &query)),
            None => {}
        }
    }
}
