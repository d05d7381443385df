//! `update` for what push delivers: the connection state (for the status bar) and
//! chat events. A pushed message, edit or delete becomes the same [`ChatMessage`] a
//! poll would bring and goes through the same merge (by id and version, and by client
//! message id for our own sends), so a message that arrives by push and again by the
//! safety-net poll is shown once. Typing exists only as push: it is kept per thread
//! and sender until [`TYPING_SHOWN_SECS`] after it arrived, or until that sender's
//! message arrives.

use time::OffsetDateTime;

use super::{App, Command, GoneReason};
use crate::acs::realtime::{ChatEvent, MessageDeleted, MessageEvent, MessageInfo, Typing};
use crate::seed::thread_meta::ThreadMeta;
use crate::tui::event::PushState;
use crate::tui::sanitize;
use crate::wire::{
    ChatMessage, ChatMessageContent, ChatMessageReadReceipt, ChatMessageType,
    CommunicationIdentifierModel,
};

/// Seconds a typing notification is shown. Senders repeat theirs at most every 8 s
/// while typing (the JS SDK's throttle, and ours), so 8 s bridges two notifications
/// and clears soon after the typing stops.
pub const TYPING_SHOWN_SECS: i64 = 8;

/// Someone typing in a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typist {
    /// Sanitized display name.
    pub name: String,
    /// When the indicator goes (local clock).
    pub until: OffsetDateTime,
}

impl App {
    pub(super) fn on_push_state(&mut self, state: PushState) {
        self.push = Some(state);
    }

    pub(super) fn on_pushed(
        &mut self,
        event: ChatEvent,
        at: OffsetDateTime,
        out: &mut Vec<Command>,
    ) {
        let thread_id = event.thread_id().to_owned();
        if self.left.contains(&thread_id) {
            return;
        }
        let known = self.threads.contains_key(&thread_id);
        match event {
            ChatEvent::MessageReceived(m) | ChatEvent::MessageEdited(m) => {
                self.on_messages(&thread_id, &[message_of(&m)], out);
            }
            ChatEvent::MessageDeleted(d) => {
                self.on_messages(&thread_id, &[deleted_of(&d)], out);
            }
            ChatEvent::Typing(t) => self.on_typing(t, at),
            ChatEvent::ReadReceipt(r) => {
                let own = self.profile.user_id.clone();
                let receipt = ChatMessageReadReceipt {
                    sender_communication_identifier: CommunicationIdentifierModel::user(
                        r.sender_id,
                    ),
                    chat_message_id: r.message_id,
                    read_on: r.read_on,
                };
                if let Some(t) = self.threads.get_mut(&thread_id) {
                    t.conv.set_receipts(&[receipt], &own);
                }
            }
            ChatEvent::ThreadUpdated(u) => {
                if let Some(t) = self.threads.get_mut(&thread_id) {
                    t.topic = sanitize::one_line(&u.topic);
                    t.meta = ThreadMeta::parse(Some(&u.metadata));
                }
            }
            ChatEvent::ThreadDeleted(_) => {
                self.on_gone(&thread_id, GoneReason::Deleted, out);
                // The poller learns it from the 404 and stops polling the thread.
                out.push(Command::Refresh {
                    thread_id: thread_id.clone(),
                });
            }
            ChatEvent::ParticipantsRemoved(m) => {
                if m.participants.iter().any(|p| p.id == self.profile.user_id) {
                    self.on_gone(&thread_id, GoneReason::Removed, out);
                }
                out.push(Command::Refresh {
                    thread_id: thread_id.clone(),
                });
            }
            // A new thread, or new members (perhaps us): the thread list and the
            // system message come from REST.
            ChatEvent::ThreadCreated(_) | ChatEvent::ParticipantsAdded(_) => {
                out.push(Command::Refresh {
                    thread_id: thread_id.clone(),
                });
            }
        }
        if !known && self.threads.contains_key(&thread_id) {
            // A message of a thread we have not listed: its topic comes from REST.
            let refresh = Command::Refresh { thread_id };
            if !out.contains(&refresh) {
                out.push(refresh);
            }
        }
    }

    fn on_typing(&mut self, typing: Typing, at: OffsetDateTime) {
        if typing.sender_id == self.profile.user_id {
            return;
        }
        let name = match sanitize::one_line(&typing.sender_display_name) {
            n if n.is_empty() => self.name_of(&typing.sender_id),
            n => n,
        };
        if let Some(t) = self.threads.get_mut(&typing.thread_id) {
            let until = at + time::Duration::seconds(TYPING_SHOWN_SECS);
            t.typing.insert(typing.sender_id, Typist { name, until });
        }
    }

    /// Drops typing indicators whose time is up.
    pub(super) fn expire_typing(&mut self, now: OffsetDateTime) {
        for t in self.threads.values_mut() {
            t.typing.retain(|_, typist| typist.until > now);
        }
    }

    /// Names of those typing in the open thread, in a stable order.
    pub fn typing_names(&self) -> Vec<&str> {
        self.open_thread()
            .map(|t| t.typing.values().map(|ty| ty.name.as_str()).collect())
            .unwrap_or_default()
    }

    /// What the status bar says about push: `None` when push is off.
    pub fn push_label(&self) -> Option<String> {
        let state = self.push.as_ref()?;
        Some(match state {
            PushState::Live => crate::tui::theme::PUSH_LIVE.to_owned(),
            other => crate::tui::theme::push_polling(&sanitize::one_line(&other.to_string())),
        })
    }
}

/// The message a poll would bring for a pushed message or edit.
fn message_of(m: &MessageEvent) -> ChatMessage {
    ChatMessage {
        content: Some(ChatMessageContent {
            message: Some(m.content.clone()),
            ..ChatMessageContent::default()
        }),
        edited_on: m.edited_on,
        metadata: (!m.metadata.is_empty()).then(|| m.metadata.clone()),
        ..base_of(&m.info)
    }
}

/// The tombstone a poll would bring for a pushed delete.
fn deleted_of(d: &MessageDeleted) -> ChatMessage {
    ChatMessage {
        deleted_on: Some(d.deleted_on),
        ..base_of(&d.info)
    }
}

fn base_of(info: &MessageInfo) -> ChatMessage {
    ChatMessage {
        id: info.message_id.clone(),
        kind: ChatMessageType::parse(&info.message_type),
        // Push carries no sequence id; the client orders by creation time.
        sequence_id: String::new(),
        version: info.version.clone(),
        content: None,
        sender_display_name: Some(info.sender_display_name.clone()),
        created_on: info.created_on,
        sender_communication_identifier: Some(CommunicationIdentifierModel::user(
            info.sender_id.clone(),
        )),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}
