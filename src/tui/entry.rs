//! One displayable message: a server message or an own pending send, already sanitized,
//! with the key that orders it in its conversation.

use time::OffsetDateTime;

use super::event::{META_CLIENT_MESSAGE_ID, META_PRIORITY, PendingSend, Priority};
use super::sanitize;
use crate::wire::{ChatMessage, ChatMessageType};

/// Display order: server messages by creation time (ties by numeric id), then pending
/// sends in the order they were written. Edits keep a message's creation time, so an
/// edited message stays where it was.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsgKey {
    /// 0 = server message, 1 = pending send (always after every server message).
    bucket: u8,
    nanos: i128,
    tie_num: u64,
    tie: String,
}

impl MsgKey {
    fn server(created_on: OffsetDateTime, id: &str) -> Self {
        Self {
            bucket: 0,
            nanos: created_on.unix_timestamp_nanos(),
            tie_num: id.parse().unwrap_or(u64::MAX),
            tie: id.to_owned(),
        }
    }

    fn pending(created_at: OffsetDateTime, client_id: &str) -> Self {
        Self {
            bucket: 1,
            nanos: created_at.unix_timestamp_nanos(),
            tie_num: 0,
            tie: client_id.to_owned(),
        }
    }

    /// Whether this key belongs to a message the service has listed.
    pub fn is_server(&self) -> bool {
        self.bucket == 0
    }
}

/// Delivery state of an own message not yet listed by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalState {
    Sending,
    /// Accepted by the service; waiting for the poller's copy.
    Sent,
    /// The error text (sanitized).
    Failed(String),
}

/// A member named in a system message: raw id and the display name it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedUser {
    pub id: String,
    pub name: Option<String>,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Sanitized text (html already turned into text).
    Text(String),
    TopicUpdated {
        by: Option<String>,
        topic: String,
    },
    ParticipantsAdded {
        by: Option<String>,
        members: Vec<NamedUser>,
    },
    ParticipantsRemoved {
        by: Option<String>,
        members: Vec<NamedUser>,
    },
}

/// Appends one line per attachment (Teams interop messages carry files and images).
fn with_attachments(mut text: String, content: Option<&crate::wire::ChatMessageContent>) -> String {
    for a in content
        .and_then(|c| c.attachments.as_deref())
        .unwrap_or_default()
    {
        let name = a
            .name
            .as_deref()
            .map(sanitize::one_line)
            .filter(|n| !n.is_empty());
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!(
            "[{}: {}]",
            sanitize::one_line(&a.attachment_type),
            name.unwrap_or_else(|| sanitize::one_line(&a.id))
        ));
    }
    text
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: MsgKey,
    /// Service message id (pending sends get one when the service accepts them).
    pub id: Option<String>,
    pub client_id: Option<String>,
    pub version: u64,
    pub sender_id: Option<String>,
    /// Sanitized `senderDisplayName` (may be empty).
    pub sender_name: String,
    pub body: Body,
    pub created_on: OffsetDateTime,
    pub edited: bool,
    pub deleted: bool,
    pub priority: Priority,
    /// `Some` for own sends not yet listed by the service.
    pub local: Option<LocalState>,
}

impl Entry {
    pub fn from_server(m: &ChatMessage) -> Self {
        let content = m.content.as_ref();
        let by = content
            .and_then(|c| c.initiator_communication_identifier.as_ref())
            .and_then(|i| i.raw())
            .map(str::to_owned);
        let members = || {
            content
                .and_then(|c| c.participants.as_ref())
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| {
                            let id = p.communication_identifier.raw()?.to_owned();
                            Some(NamedUser {
                                id,
                                name: p.display_name.as_deref().map(sanitize::one_line),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let text = content.and_then(|c| c.message.as_deref()).unwrap_or("");
        let body = match &m.kind {
            ChatMessageType::TopicUpdated => Body::TopicUpdated {
                by,
                topic: sanitize::one_line(content.and_then(|c| c.topic.as_deref()).unwrap_or("")),
            },
            ChatMessageType::ParticipantAdded => Body::ParticipantsAdded {
                by,
                members: members(),
            },
            ChatMessageType::ParticipantRemoved => Body::ParticipantsRemoved {
                by,
                members: members(),
            },
            ChatMessageType::Html => {
                Body::Text(with_attachments(sanitize::html_message(text), content))
            }
            _ => Body::Text(with_attachments(sanitize::message_text(text), content)),
        };
        let meta = m.metadata.as_ref();
        Self {
            key: MsgKey::server(m.created_on, &m.id),
            id: Some(m.id.clone()),
            client_id: meta.and_then(|md| md.get(META_CLIENT_MESSAGE_ID)).cloned(),
            version: m.version.parse().unwrap_or(0),
            sender_id: m
                .sender_communication_identifier
                .as_ref()
                .and_then(|i| i.raw())
                .map(str::to_owned),
            sender_name: m
                .sender_display_name
                .as_deref()
                .map(sanitize::one_line)
                .unwrap_or_default(),
            body,
            created_on: m.created_on,
            edited: m.edited_on.is_some(),
            deleted: m.deleted_on.is_some(),
            priority: meta
                .and_then(|md| md.get(META_PRIORITY))
                .map_or(Priority::Normal, |p| Priority::parse(p)),
            local: None,
        }
    }

    pub fn from_pending(p: &PendingSend, own_user: &str) -> Self {
        Self {
            key: MsgKey::pending(p.created_at, &p.client_message_id),
            id: None,
            client_id: Some(p.client_message_id.clone()),
            version: 0,
            sender_id: Some(own_user.to_owned()),
            sender_name: sanitize::one_line(&p.display_name),
            body: Body::Text(sanitize::message_text(&p.content)),
            created_on: p.created_at,
            edited: false,
            deleted: false,
            priority: p.priority,
            local: Some(LocalState::Sending),
        }
    }

    pub fn is_system(&self) -> bool {
        !matches!(self.body, Body::Text(_))
    }

    pub fn is_failed(&self) -> bool {
        matches!(self.local, Some(LocalState::Failed(_)))
    }

    /// The text search looks at.
    pub fn search_text(&self) -> &str {
        match &self.body {
            Body::Text(t) if !self.deleted => t,
            Body::TopicUpdated { topic, .. } => topic,
            _ => "",
        }
    }
}
