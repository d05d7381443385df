//! The chat events the service pushes, parsed strictly from the pushed request's
//! body. The body's `eventId` picks the event and the fields are those the
//! signaling client reads (`TrouterUtils.ts`): identifiers are raw ids (MRIs such as
//! `8:acs:…`), times ISO 8601 strings, and thread events nest `escape()`d JSON.
//!
//! Everything here is data from outside: a missing or mistyped field is an error
//! naming it, never a default and never a panic.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::wire::js_escape::js_unescape;
use crate::wire::timestamp;

/// A chat event pushed to this user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEvent {
    MessageReceived(MessageEvent),
    MessageEdited(MessageEvent),
    MessageDeleted(MessageDeleted),
    Typing(Typing),
    ReadReceipt(ReadReceipt),
    ThreadCreated(ThreadCreated),
    ThreadUpdated(ThreadUpdated),
    ThreadDeleted(ThreadDeleted),
    ParticipantsAdded(Membership),
    ParticipantsRemoved(Membership),
}

impl ChatEvent {
    /// The thread the event belongs to.
    pub fn thread_id(&self) -> &str {
        match self {
            Self::MessageReceived(e) | Self::MessageEdited(e) => &e.info.thread_id,
            Self::MessageDeleted(e) => &e.info.thread_id,
            Self::Typing(e) => &e.thread_id,
            Self::ReadReceipt(e) => &e.thread_id,
            Self::ThreadCreated(e) => &e.thread_id,
            Self::ThreadUpdated(e) => &e.thread_id,
            Self::ThreadDeleted(e) => &e.thread_id,
            Self::ParticipantsAdded(e) | Self::ParticipantsRemoved(e) => &e.thread_id,
        }
    }
}

/// What every message event says about its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInfo {
    pub thread_id: String,
    pub message_id: String,
    pub sender_id: String,
    pub sender_display_name: String,
    /// `text`, `html`, …
    pub message_type: String,
    pub version: String,
    pub created_on: OffsetDateTime,
}

/// 200 chatMessageReceived and 247 chatMessageEdited (`edited_on` set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEvent {
    pub info: MessageInfo,
    pub content: String,
    pub metadata: BTreeMap<String, String>,
    pub edited_on: Option<OffsetDateTime>,
}

/// 248 chatMessageDeleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDeleted {
    pub info: MessageInfo,
    pub deleted_on: OffsetDateTime,
}

/// 245 typingIndicatorReceived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typing {
    pub thread_id: String,
    pub sender_id: String,
    pub sender_display_name: String,
    pub received_on: OffsetDateTime,
}

/// 246 readReceiptReceived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadReceipt {
    pub thread_id: String,
    pub sender_id: String,
    pub message_id: String,
    pub read_on: OffsetDateTime,
}

/// A participant as thread events name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: String,
    pub display_name: String,
    pub share_history_time: Option<OffsetDateTime>,
    pub metadata: BTreeMap<String, String>,
}

/// 257 chatThreadCreated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadCreated {
    pub thread_id: String,
    pub version: String,
    pub created_on: OffsetDateTime,
    pub created_by: Participant,
    pub participants: Vec<Participant>,
    pub topic: String,
    pub metadata: BTreeMap<String, String>,
}

/// 258 chatThreadPropertiesUpdated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadUpdated {
    pub thread_id: String,
    pub version: String,
    pub updated_on: OffsetDateTime,
    pub updated_by: Participant,
    pub topic: String,
    pub metadata: BTreeMap<String, String>,
}

/// 259 chatThreadDeleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadDeleted {
    pub thread_id: String,
    pub version: String,
    pub deleted_on: OffsetDateTime,
    /// Absent when a retention policy deleted it.
    pub deleted_by: Option<Participant>,
    pub reason: String,
}

/// 260 participantsAdded and 261 participantsRemoved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub thread_id: String,
    pub version: String,
    pub time: OffsetDateTime,
    pub by: Participant,
    pub participants: Vec<Participant>,
}

/// Why a pushed body is not an event we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the event is not a JSON object")]
    NotAnObject,
    #[error("event {0} is not one we know")]
    Unknown(i64),
    #[error("the event has no numeric eventId")]
    NoEventId,
    #[error("event {event}: field {field} is missing or invalid")]
    Field { event: i64, field: &'static str },
}

/// The event in a pushed request's body.
pub fn parse(body: &str) -> Result<ChatEvent, EventError> {
    let v: Value = serde_json::from_str(body).map_err(|_| EventError::NotAnObject)?;
    let o = v.as_object().ok_or(EventError::NotAnObject)?;
    let id = o
        .get("eventId")
        .and_then(Value::as_i64)
        .ok_or(EventError::NoEventId)?;
    let f = Fields { o, event: id };
    Ok(match id {
        200 => ChatEvent::MessageReceived(f.message(false)?),
        247 => ChatEvent::MessageEdited(f.message(true)?),
        248 => ChatEvent::MessageDeleted(MessageDeleted {
            info: f.message_info()?,
            deleted_on: f.time("deletetime")?,
        }),
        245 => ChatEvent::Typing(Typing {
            thread_id: f.id("groupId")?,
            sender_id: f.id("senderId")?,
            sender_display_name: f.text("senderDisplayName")?,
            received_on: f.time("originalArrivalTime")?,
        }),
        246 => ChatEvent::ReadReceipt(f.receipt()?),
        257 => {
            let (topic, metadata) = f.properties()?;
            ChatEvent::ThreadCreated(ThreadCreated {
                thread_id: f.id("threadId")?,
                version: f.version()?,
                created_on: f.time("createTime")?,
                created_by: f.participant("createdBy")?,
                participants: f.participants("members")?,
                topic,
                metadata,
            })
        }
        258 => {
            let (topic, metadata) = f.properties()?;
            ChatEvent::ThreadUpdated(ThreadUpdated {
                thread_id: f.id("threadId")?,
                version: f.version()?,
                updated_on: f.time("editTime")?,
                updated_by: f.participant("editedBy")?,
                topic,
                metadata,
            })
        }
        259 => {
            let reason = f.text("reason").unwrap_or_default();
            ChatEvent::ThreadDeleted(ThreadDeleted {
                thread_id: f.id("threadId")?,
                version: f.version()?,
                deleted_on: f.time("deleteTime")?,
                deleted_by: match reason.as_str() {
                    "deletedByPolicy" => None,
                    _ => Some(f.participant("deletedBy")?),
                },
                reason,
            })
        }
        260 => ChatEvent::ParticipantsAdded(f.membership("addedBy", "participantsAdded")?),
        261 => ChatEvent::ParticipantsRemoved(f.membership("removedBy", "participantsRemoved")?),
        other => return Err(EventError::Unknown(other)),
    })
}

/// The fields of one event, read with the error naming the field.
struct Fields<'a> {
    o: &'a Map<String, Value>,
    event: i64,
}

impl Fields<'_> {
    fn bad(&self, field: &'static str) -> EventError {
        EventError::Field {
            event: self.event,
            field,
        }
    }

    fn text(&self, field: &'static str) -> Result<String, EventError> {
        text_of(self.o, field).ok_or_else(|| self.bad(field))
    }

    /// A non-empty identifier.
    fn id(&self, field: &'static str) -> Result<String, EventError> {
        self.text(field)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.bad(field))
    }

    /// `version`: a string, or a number as some senders write it.
    fn version(&self) -> Result<String, EventError> {
        match self.o.get("version") {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(self.bad("version")),
        }
    }

    fn time(&self, field: &'static str) -> Result<OffsetDateTime, EventError> {
        self.text(field)
            .ok()
            .and_then(|s| timestamp::parse(&s))
            .ok_or_else(|| self.bad(field))
    }

    /// A nested JSON string; `""`, `null`, `{}` and `[]` are absent, as for the SDK.
    fn nested(&self, field: &'static str, escaped: bool) -> Result<Option<Value>, EventError> {
        let Some(raw) = self.o.get(field) else {
            return Ok(None);
        };
        let raw = raw.as_str().ok_or_else(|| self.bad(field))?;
        let raw = if escaped {
            js_unescape(raw)
        } else {
            raw.to_owned()
        };
        if matches!(raw.trim(), "" | "null" | "{}" | "[]") {
            return Ok(None);
        }
        serde_json::from_str(&raw)
            .map(Some)
            .map_err(|_| self.bad(field))
    }

    fn metadata(&self, field: &'static str) -> Result<BTreeMap<String, String>, EventError> {
        match self.nested(field, false)? {
            None => Ok(BTreeMap::new()),
            Some(v) => string_map(&v).ok_or_else(|| self.bad(field)),
        }
    }

    fn message_info(&self) -> Result<MessageInfo, EventError> {
        Ok(MessageInfo {
            thread_id: self.id("groupId")?,
            message_id: self.id("messageId")?,
            sender_id: self.id("senderId")?,
            sender_display_name: self.text("senderDisplayName")?,
            message_type: self.text("messageType")?,
            version: self.version()?,
            created_on: self.time("originalArrivalTime")?,
        })
    }

    fn message(&self, edited: bool) -> Result<MessageEvent, EventError> {
        Ok(MessageEvent {
            info: self.message_info()?,
            content: self.text("messageBody")?,
            metadata: self.metadata("acsChatMessageMetadata")?,
            edited_on: edited.then(|| self.time("edittime")).transpose()?,
        })
    }

    /// The read time is the second field of `consumptionhorizon`, in ms.
    fn receipt(&self) -> Result<ReadReceipt, EventError> {
        let body = self
            .nested("messageBody", false)?
            .ok_or_else(|| self.bad("messageBody"))?;
        let read_on = body
            .get("consumptionhorizon")
            .and_then(Value::as_str)
            .and_then(|h| h.split(';').nth(1))
            .and_then(|ms| ms.trim().parse::<i64>().ok())
            .and_then(|ms| {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
            })
            .ok_or_else(|| self.bad("messageBody"))?;
        Ok(ReadReceipt {
            thread_id: self.id("groupId")?,
            sender_id: self.id("senderId")?,
            message_id: self.id("messageId")?,
            read_on,
        })
    }

    fn participant(&self, field: &'static str) -> Result<Participant, EventError> {
        self.nested(field, true)?
            .as_ref()
            .and_then(participant)
            .ok_or_else(|| self.bad(field))
    }

    fn participants(&self, field: &'static str) -> Result<Vec<Participant>, EventError> {
        match self.nested(field, true)? {
            None => Ok(Vec::new()),
            Some(Value::Array(list)) => list
                .iter()
                .map(|p| participant(p).ok_or_else(|| self.bad(field)))
                .collect(),
            Some(_) => Err(self.bad(field)),
        }
    }

    fn properties(&self) -> Result<(String, BTreeMap<String, String>), EventError> {
        let p = self
            .nested("properties", true)?
            .ok_or_else(|| self.bad("properties"))?;
        let o = p.as_object().ok_or_else(|| self.bad("properties"))?;
        let topic = text_of(o, "topic").ok_or_else(|| self.bad("properties"))?;
        let metadata = match text_of(o, "acsChatThreadMetadata").as_deref() {
            None | Some("" | "null" | "{}") => BTreeMap::new(),
            Some(raw) => serde_json::from_str::<Value>(raw)
                .ok()
                .as_ref()
                .and_then(string_map)
                .ok_or_else(|| self.bad("properties"))?,
        };
        Ok((topic, metadata))
    }

    fn membership(&self, by: &'static str, list: &'static str) -> Result<Membership, EventError> {
        Ok(Membership {
            thread_id: self.id("threadId")?,
            version: self.version()?,
            time: self.time("time")?,
            by: self.participant(by)?,
            participants: self.participants(list)?,
        })
    }
}

fn text_of(o: &Map<String, Value>, field: &str) -> Option<String> {
    o.get(field)?.as_str().map(str::to_owned)
}

/// A JSON object of strings (message, thread and member metadata).
fn string_map(v: &Value) -> Option<BTreeMap<String, String>> {
    v.as_object()?
        .iter()
        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// `{participantId, displayName, shareHistoryTime?, memberMetaData?}`.
fn participant(v: &Value) -> Option<Participant> {
    let o = v.as_object()?;
    let id = text_of(o, "participantId").filter(|s| !s.is_empty())?;
    let share_history_time = match o.get("shareHistoryTime") {
        None | Some(Value::Null) => None,
        Some(t) => Some(timestamp::parse(t.as_str()?)?),
    };
    let metadata = match text_of(o, "memberMetaData").as_deref() {
        None | Some("" | "null" | "{}") => BTreeMap::new(),
        Some(raw) => string_map(&serde_json::from_str(raw).ok()?)?,
    };
    Some(Participant {
        id,
        display_name: text_of(o, "displayName").unwrap_or_default(),
        share_history_time,
        metadata,
    })
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
