//! From a change the emulator made to the events ACS would publish for it: a pure
//! function of what the write knows (the thread and message as stored, the members
//! after the change), so the values agree with what REST returns for the same
//! thread or message — the same ids, versions, times and metadata.
//!
//! Decisions (the evidence is in the module docs of [`super`]): per-user events go to
//! every member after the change except the one who made it; system messages raise no
//! message events (the thread events cover them); adding N participants raises N
//! `ChatThreadParticipantAdded` events; all events of one request share its
//! `transactionId`.

use time::format_description::well_known::Rfc3339;

use serde_json::Value;

use super::data::{self, Extras, MessageFields, Participant, ThreadFields};
use super::types::EventType;
use crate::emulator::store::at;
use crate::wire::{ChatMessageType, CommunicationIdentifierModel, Metadata};

/// A member as an event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub raw: String,
    pub display_name: Option<String>,
    pub metadata: Metadata,
}

/// The thread as stored after the change.
#[derive(Debug, Clone)]
pub struct ThreadFacts {
    pub id: String,
    pub topic: String,
    pub created_ms: i64,
    /// The thread's version after the change.
    pub version: i64,
    pub metadata: Metadata,
}

/// A user message as stored after the change.
#[derive(Debug, Clone)]
pub struct MessageFacts {
    pub id: i64,
    pub version: i64,
    pub sender: String,
    pub sender_display_name: Option<String>,
    pub kind: ChatMessageType,
    pub content: String,
    pub metadata: Metadata,
    pub created_ms: i64,
    pub edited_ms: Option<i64>,
    pub deleted_ms: Option<i64>,
}

/// What changed.
#[derive(Debug, Clone)]
pub enum Change {
    MessageSent(MessageFacts),
    MessageEdited(MessageFacts),
    MessageDeleted(MessageFacts),
    ThreadCreated {
        creator: String,
        participants: Vec<Member>,
    },
    ThreadUpdated {
        editor: String,
    },
    ThreadDeleted {
        deleter: String,
    },
    ParticipantsAdded {
        by: String,
        added: Vec<Member>,
    },
    ParticipantsRemoved {
        by: String,
        removed: Vec<Member>,
    },
}

/// One change with its context.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub thread: ThreadFacts,
    pub change: Change,
    /// The thread's current members after the change, in join order.
    pub members: Vec<String>,
    /// Shared by every event of the request.
    pub transaction_id: String,
    /// When the change was made: the events' time, and the edit/delete/join times.
    pub time_ms: i64,
}

/// One event, schema-neutral: [`super::envelope`] wraps it for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatEvent {
    pub id: String,
    pub event_type: EventType,
    pub subject: String,
    pub time_ms: i64,
    pub data: Value,
}

/// An epoch-millisecond time as the events write it: RFC 3339 UTC, milliseconds kept
/// (REST shows the same instant to the second).
pub fn event_time(ms: i64) -> String {
    at(ms)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn ident(raw: &str) -> CommunicationIdentifierModel {
    CommunicationIdentifierModel::user(raw)
}

/// The message `type` as the events spell it ("Text" in every example; REST: "text").
fn event_kind(kind: &ChatMessageType) -> String {
    match kind {
        ChatMessageType::Text => "Text".to_owned(),
        ChatMessageType::Html => "Html".to_owned(),
        other => other.as_str().to_owned(),
    }
}

fn participant(m: &Member) -> Participant {
    Participant {
        display_name: m.display_name.clone(),
        participant_communication_identifier: ident(&m.raw),
        metadata: m.metadata.clone(),
    }
}

fn topic_properties(topic: &str) -> serde_json::Map<String, Value> {
    let mut p = serde_json::Map::new();
    p.insert("topic".to_owned(), Value::String(topic.to_owned()));
    p
}

/// One thread-level event and its per-user copies, before ids and base members.
struct Plan {
    in_thread: EventType,
    per_user: EventType,
    /// Who made the change: every other member gets the per-user event.
    actor: String,
    /// The thread-level subject after `thread/{id}/`.
    subject: String,
    /// The per-user subject after `thread/{id}/`, before `/recipient/{rawId}`.
    user_subject: String,
    data: Value,
}

/// Builds the events: each thread-level one, then one per recipient.
/// `next_id` gives each event its id (a fresh UUID in the emulator).
pub fn build(occ: &Occurrence, next_id: &mut dyn FnMut() -> String) -> Vec<ChatEvent> {
    let t = &occ.thread.id;
    let mut out = Vec::new();
    for plan in plans(occ) {
        let mut push = |event_type, subject, recipient: Option<&str>| {
            out.push(ChatEvent {
                id: next_id(),
                event_type,
                subject,
                time_ms: occ.time_ms,
                data: data::with_base(&plan.data, &occ.transaction_id, t, recipient),
            });
        };
        push(plan.in_thread, format!("thread/{t}/{}", plan.subject), None);
        for r in occ.members.iter().filter(|m| **m != plan.actor) {
            let subject = format!("thread/{t}/{}/recipient/{r}", plan.user_subject);
            push(plan.per_user, subject, Some(r));
        }
    }
    out
}

/// What each kind of change publishes.
fn plans(occ: &Occurrence) -> Vec<Plan> {
    let thread = ThreadFields {
        create_time: event_time(occ.thread.created_ms),
        version: occ.thread.version,
    };
    let now = event_time(occ.time_ms);
    let plan = |types, actor: &str, subject, extras| plan(&thread, types, actor, subject, extras);
    match &occ.change {
        Change::MessageSent(m) | Change::MessageEdited(m) | Change::MessageDeleted(m) => {
            message_plan(&occ.change, m, occ.time_ms)
                .into_iter()
                .collect()
        }
        Change::ThreadCreated {
            creator,
            participants,
        } => vec![plan(
            (EventType::ThreadCreated, EventType::ThreadCreatedWithUser),
            creator,
            format!("createdBy/{creator}"),
            Extras {
                created_by_communication_identifier: Some(ident(creator)),
                properties: Some(topic_properties(&occ.thread.topic)),
                metadata: Some(occ.thread.metadata.clone()),
                participants: Some(participants.iter().map(participant).collect()),
                ..Extras::default()
            },
        )],
        Change::ThreadUpdated { editor } => vec![plan(
            (
                EventType::ThreadPropertiesUpdated,
                EventType::ThreadPropertiesUpdatedPerUser,
            ),
            editor,
            format!("editedBy/{editor}"),
            Extras {
                edited_by_communication_identifier: Some(ident(editor)),
                edit_time: Some(now),
                properties: Some(topic_properties(&occ.thread.topic)),
                metadata: Some(occ.thread.metadata.clone()),
                ..Extras::default()
            },
        )],
        Change::ThreadDeleted { deleter } => vec![plan(
            (EventType::ThreadDeleted, EventType::ThreadWithUserDeleted),
            deleter,
            format!("deletedBy/{deleter}"),
            Extras {
                deleted_by_communication_identifier: Some(ident(deleter)),
                delete_time: Some(now),
                ..Extras::default()
            },
        )],
        Change::ParticipantsAdded { by, added } => added
            .iter()
            .map(|a| membership(&thread, true, by, a, &now))
            .collect(),
        Change::ParticipantsRemoved { by, removed } => removed
            .iter()
            .map(|r| membership(&thread, false, by, r, &now))
            .collect(),
    }
}

fn plan(
    thread: &ThreadFields,
    types: (EventType, EventType),
    actor: &str,
    subject: String,
    extras: Extras,
) -> Plan {
    Plan {
        in_thread: types.0,
        per_user: types.1,
        actor: actor.to_owned(),
        user_subject: subject.clone(),
        subject,
        data: data::object(thread, &extras),
    }
}

/// `who` added (or removed) by `by`. The examples spell the thread-level subject in
/// lower case (`participantadded/...`), the per-user one in camel case.
fn membership(thread: &ThreadFields, added: bool, by: &str, who: &Member, now: &str) -> Plan {
    let (types, word) = if added {
        let types = (
            EventType::ThreadParticipantAdded,
            EventType::ParticipantAddedToThreadWithUser,
        );
        (types, "Added")
    } else {
        let types = (
            EventType::ThreadParticipantRemoved,
            EventType::ParticipantRemovedFromThreadWithUser,
        );
        (types, "Removed")
    };
    let (by_id, who_data) = (Some(ident(by)), Some(participant(who)));
    let extras = if added {
        Extras {
            added_by_communication_identifier: by_id,
            participant_added: who_data,
            ..Extras::default()
        }
    } else {
        Extras {
            removed_by_communication_identifier: by_id,
            participant_removed: who_data,
            ..Extras::default()
        }
    };
    let extras = Extras {
        time: Some(now.to_owned()),
        ..extras
    };
    Plan {
        subject: format!("participant{}/{}", word.to_lowercase(), who.raw),
        ..plan(
            thread,
            types,
            by,
            format!("participant{word}/{}", who.raw),
            extras,
        )
    }
}

/// A user message's events; none for a system message (the thread events cover those).
fn message_plan(change: &Change, m: &MessageFacts, now_ms: i64) -> Option<Plan> {
    if m.kind.is_system() {
        return None;
    }
    let fields = MessageFields {
        message_id: m.id.to_string(),
        sender_communication_identifier: ident(&m.sender),
        sender_display_name: m.sender_display_name.clone().unwrap_or_default(),
        compose_time: event_time(m.created_ms),
        kind: event_kind(&m.kind),
        version: m.version,
    };
    let body = Extras {
        message_body: Some(m.content.clone()),
        metadata: Some(m.metadata.clone()),
        ..Extras::default()
    };
    let (types, extras) = match change {
        Change::MessageEdited(_) => (
            (EventType::MessageEditedInThread, EventType::MessageEdited),
            Extras {
                edit_time: Some(event_time(m.edited_ms.unwrap_or(now_ms))),
                ..body
            },
        ),
        Change::MessageDeleted(_) => (
            (EventType::MessageDeletedInThread, EventType::MessageDeleted),
            Extras {
                delete_time: Some(event_time(m.deleted_ms.unwrap_or(now_ms))),
                ..Extras::default()
            },
        ),
        _ => (
            (
                EventType::MessageReceivedInThread,
                EventType::MessageReceived,
            ),
            body,
        ),
    };
    let subject = format!("sender/{}", m.sender);
    Some(Plan {
        in_thread: types.0,
        per_user: types.1,
        actor: m.sender.clone(),
        user_subject: subject.clone(),
        subject,
        data: data::object(&fields, &extras),
    })
}
