//! `update` for Enter in the compose box: saving an edit, running a slash command, or
//! sending a message (shown at once as pending, handed to the sender as a command).

use super::{App, Command, ComposeState, Confirm, Overlay, PendingSend, Priority};
use crate::tui::commands::{self, SlashCommand};
use crate::tui::theme;

/// Lines kept in the input history.
const INPUT_HISTORY: usize = 200;

impl App {
    pub(super) fn submit(&mut self, out: &mut Vec<Command>) {
        let text = self.compose_text();
        if let ComposeState::Editing {
            thread_id,
            message_id,
            ..
        } = self.compose_state.clone()
        {
            // Enter always ends an edit, so the next message typed is never taken for one.
            if text.trim().is_empty() {
                self.info(theme::EDIT_EMPTY);
            } else {
                out.push(Command::EditMessage {
                    thread_id,
                    message_id,
                    content: text,
                });
            }
            self.end_edit();
            return;
        }
        if text.trim().is_empty() {
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
        // The text stays in the compose box: nothing typed is lost.
        if let Some(reason) = self.open_thread().and_then(|t| t.gone) {
            let topic = self
                .open_thread()
                .map(|t| t.topic.clone())
                .unwrap_or_default();
            self.error(theme::thread_gone(&topic, reason));
            return;
        }
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
        // The message ends our typing indicator at the others: typing the next one
        // says so again at once, not up to 8 s later.
        self.last_typing = None;
        out.push(Command::Send(pending));
    }

    pub(super) fn remember(&mut self, text: &str) {
        if self.history.last().map(String::as_str) != Some(text) {
            self.history.push(text.to_owned());
        }
        if self.history.len() > INPUT_HISTORY {
            self.history.remove(0);
        }
        self.compose_state = ComposeState::New;
    }

    pub(super) fn run_command(&mut self, cmd: SlashCommand, out: &mut Vec<Command>) {
        let open = self.open.clone();
        let sticky = self.open_thread().is_some_and(|t| t.meta.sticky);
        match cmd {
            SlashCommand::New {
                topic,
                members,
                sticky,
            } => {
                self.info(theme::creating_thread(&crate::tui::sanitize::one_line(
                    &topic,
                )));
                self.creating = Some(crate::tui::sanitize::one_line(&topic));
                out.push(Command::CreateThread {
                    topic,
                    members,
                    sticky,
                });
            }
            SlashCommand::Help => self.overlay = Overlay::Help { scroll: 0 },
            SlashCommand::Quit => self.quitting = true,
            SlashCommand::Members => self.toggle_participants(out),
            SlashCommand::Search(q) => {
                self.overlay = Overlay::Search {
                    query: q,
                    hit: None,
                };
                self.search_step(true);
            }
            _ if open.is_none() => self.error(theme::NO_THREAD),
            SlashCommand::Invite(_) | SlashCommand::Remove(_) if sticky => {
                self.error(theme::STICKY_REFUSAL)
            }
            SlashCommand::Topic(topic) => out.push(Command::UpdateTopic {
                thread_id: open.unwrap_or_default(),
                topic,
            }),
            SlashCommand::Invite(members) => out.push(Command::Invite {
                thread_id: open.unwrap_or_default(),
                members,
            }),
            SlashCommand::Remove(who) => {
                let member = self.resolve_member(&who);
                out.push(Command::Remove {
                    thread_id: open.unwrap_or_default(),
                    member,
                });
            }
            SlashCommand::Leave => {
                self.overlay = Overlay::Confirm(Confirm::Leave {
                    thread_id: open.unwrap_or_default(),
                })
            }
        }
    }

    /// A participant's display name becomes their raw id; profile names and ids pass.
    pub(super) fn resolve_member(&self, who: &str) -> String {
        if self
            .profile
            .known_profiles
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(who))
        {
            return who.to_owned();
        }
        self.open_thread()
            .and_then(|t| {
                t.conv
                    .participants
                    .iter()
                    .find(|m| m.name.eq_ignore_ascii_case(who))
            })
            .map_or_else(|| who.to_owned(), |m| m.id.clone())
    }

    pub(super) fn toggle_participants(&mut self, out: &mut Vec<Command>) {
        self.show_participants = !self.show_participants;
        if self.show_participants
            && let Some(thread_id) = self.open.clone()
        {
            out.push(Command::FetchParticipants { thread_id });
        }
    }
}
