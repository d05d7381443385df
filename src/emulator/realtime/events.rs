//! The pushed events, with exactly the fields the signaling client reads
//! (`TrouterUtils.ts`), built from the same rows REST answers with, so the SDK's
//! event objects equal what REST returns.
//!
//! Who gets an event: everyone who was a member before the write or is one after it
//! (so the added learn they were added, the removed learn they were removed, and
//! then hear nothing more).

use rusqlite::Transaction;
use serde_json::{Value, json};

use super::super::api_error::ApiError;
use super::super::app::App;
use super::super::events::Change;
use super::super::store::membership::{Diff, Members};
use super::super::store::{self, at, messages, participants, threads};
use super::hub::Event;
use crate::wire::ChatParticipant;
use crate::wire::js_escape::js_escape;
use crate::wire::timestamp::format_whole_seconds;

/// Whether a write can change who is in the thread. Only such writes read the
/// members again after the write: sends, edits and deletes are the hot path, and
/// their members after are the members before.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Unchanged,
    MayChange,
}

/// Runs `write` in one transaction, reading the members once before it and, when
/// `membership` may change, once after it. In the same transaction, `event` says
/// what to push (`None` = nothing) and `change` what Event Grid records; both see
/// the same [`Members`]. The push leaves after the commit, in commit order.
pub async fn write_and_push<R, W, E, C>(
    app: &App,
    thread: String,
    membership: Membership,
    now: i64,
    write: W,
    event: E,
    change: C,
) -> Result<R, ApiError>
where
    R: Send + 'static,
    W: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
    E: FnOnce(&Transaction<'_>, &Members, &R) -> Result<Option<Value>, ApiError> + Send + 'static,
    C: FnOnce(&Transaction<'_>, &Members, &R) -> Result<Option<(String, Change)>, ApiError>
        + Send
        + 'static,
{
    let hub = app.realtime.hub.clone();
    let grid = app.eventgrid.clone();
    let (result, _) = app
        .store
        .tx_then(
            move |tx| {
                let before = participants::members(tx, &thread)?;
                let result = write(tx)?;
                let after = match membership {
                    Membership::Unchanged => before.clone(),
                    Membership::MayChange => participants::members(tx, &thread)?,
                };
                let members = Members { before, after };
                grid.record(tx, &members, &result, now, change)?;
                let pushed = event(tx, &members, &result)?
                    .map(|payload| addressed(members.everyone().map(raw_id).collect(), payload));
                Ok((result, pushed))
            },
            move |(_, event)| event.take().into_iter().for_each(|e| hub.publish(e)),
        )
        .await?;
    Ok(result)
}

/// Pushes `payload` to the members of `thread`, which `caller` must be one of (for
/// events that write nothing).
pub async fn push_to_members(
    app: &App,
    thread: String,
    caller: String,
    payload: Value,
) -> Result<(), ApiError> {
    let members = app
        .store
        .read(move |tx| {
            store::require_member(tx, &thread, &caller)?;
            Ok(participants::members(tx, &thread)?)
        })
        .await?;
    let recipients = members.iter().map(raw_id).collect();
    app.realtime.hub.publish(addressed(recipients, payload));
    Ok(())
}

/// The event for `recipients`; each copy names its recipient.
pub fn addressed(recipients: Vec<String>, payload: Value) -> Event {
    Event {
        recipients,
        body: Box::new(move |recipient| {
            let mut p = payload.clone();
            if p.get("groupId").is_some() {
                p["recipientMri"] = Value::String(recipient.to_owned());
            }
            p.to_string()
        }),
    }
}

fn raw_id(p: &ChatParticipant) -> String {
    p.communication_identifier
        .raw_id
        .clone()
        .unwrap_or_default()
}

/// A field of a REST object as a string ("" when absent).
fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A metadata object as the JSON string the client parses ("" when empty).
fn metadata_string(v: Option<&Value>) -> String {
    v.filter(|m| m.as_object().is_some_and(|o| !o.is_empty()))
        .map(Value::to_string)
        .unwrap_or_default()
}

fn now_text(now_ms: i64) -> String {
    format_whole_seconds(at(now_ms))
}

/// 200 chatMessageReceived, 247 chatMessageEdited, 248 chatMessageDeleted.
pub fn message(
    tx: &Transaction<'_>,
    thread: &str,
    reader: &str,
    id: i64,
    event_id: u16,
) -> Result<Value, ApiError> {
    let m = serde_json::to_value(messages::get(tx, thread, reader, id)?)
        .map_err(|_| ApiError::unavailable())?;
    let sender = m
        .pointer("/senderCommunicationIdentifier/rawId")
        .and_then(Value::as_str)
        .unwrap_or(reader);
    let mut p = json!({
        "eventId": event_id,
        "senderId": sender,
        "groupId": thread,
        "messageId": text(&m, "id"),
        "clientMessageId": "",
        "senderDisplayName": text(&m, "senderDisplayName"),
        "messageType": text(&m, "type"),
        "version": text(&m, "version"),
        "originalArrivalTime": text(&m, "createdOn"),
    });
    match event_id {
        248 => p["deletetime"] = Value::String(text(&m, "deletedOn")),
        _ => {
            p["messageBody"] = m.pointer("/content/message").cloned().unwrap_or(json!(""));
            p["acsChatMessageMetadata"] = Value::String(metadata_string(m.get("metadata")));
            p["attachments"] = Value::String(String::new());
            if event_id == 247 {
                p["edittime"] = Value::String(text(&m, "editedOn"));
            }
        }
    }
    Ok(p)
}

/// 245 typingIndicatorReceived.
pub fn typing(thread: &str, sender: &str, display_name: &str, now_ms: i64) -> Value {
    json!({
        "eventId": 245,
        "senderId": sender,
        "groupId": thread,
        "senderDisplayName": display_name,
        "version": now_ms.to_string(),
        "originalArrivalTime": now_text(now_ms),
    })
}

/// 246 readReceiptReceived: the read time travels in `consumptionhorizon`.
pub fn read_receipt(thread: &str, reader: &str, message_id: i64, now_ms: i64) -> Value {
    // REST shows `readOn` in whole seconds; the event says the same instant.
    let read_on = now_ms - now_ms.rem_euclid(1000);
    let body = json!({
        "user": reader,
        "consumptionhorizon": format!("{message_id};{read_on};{message_id}"),
        "messageVisibilityTime": 0,
        "version": message_id.to_string(),
    });
    json!({
        "eventId": 246,
        "senderId": reader,
        "groupId": thread,
        "messageId": message_id.to_string(),
        "clientMessageId": "",
        "messageBody": body.to_string(),
    })
}

/// A participant as thread events nest it (escaped JSON).
fn participant_json(p: &ChatParticipant) -> Value {
    let mut v = json!({
        "participantId": raw_id(p),
        "displayName": p.display_name.clone().unwrap_or_default(),
    });
    if let Some(t) = p.share_history_time {
        v["shareHistoryTime"] = Value::String(format_whole_seconds(t));
    }
    if let Some(m) = &p.metadata
        && !m.is_empty()
    {
        v["memberMetaData"] = Value::String(serde_json::to_string(m).unwrap_or_default());
    }
    v
}

fn escaped(v: &Value) -> Value {
    Value::String(js_escape(&v.to_string()))
}

/// The member `user` among `members`, or a bare participant for them.
fn who(members: &[ChatParticipant], user: &str) -> Value {
    members
        .iter()
        .find(|p| raw_id(p) == user)
        .map(participant_json)
        .unwrap_or_else(|| json!({ "participantId": user, "displayName": "" }))
}

fn properties(tx: &Transaction<'_>, thread: &str, reader: &str) -> Result<Value, ApiError> {
    let t = threads::get(tx, thread, reader)?;
    let mut p = json!({ "topic": t.topic });
    if let Some(m) = &t.metadata
        && !m.is_empty()
    {
        p["acsChatThreadMetadata"] = Value::String(serde_json::to_string(m).unwrap_or_default());
    }
    Ok(p)
}

/// 257 chatThreadCreated.
pub fn thread_created(
    tx: &Transaction<'_>,
    members: &Members,
    thread: &str,
    creator: &str,
) -> Result<Value, ApiError> {
    let t = threads::get(tx, thread, creator)?;
    let members = &members.after;
    let list: Vec<Value> = members.iter().map(participant_json).collect();
    Ok(json!({
        "eventId": 257,
        "threadId": thread,
        "version": t.created_on.unix_timestamp().to_string(),
        "createTime": format_whole_seconds(t.created_on),
        "createdBy": escaped(&who(members, creator)),
        "members": escaped(&Value::Array(list)),
        "properties": escaped(&properties(tx, thread, creator)?),
    }))
}

/// 258 chatThreadPropertiesUpdated.
pub fn thread_updated(
    tx: &Transaction<'_>,
    members: &Members,
    thread: &str,
    editor: &str,
    now_ms: i64,
) -> Result<Value, ApiError> {
    Ok(json!({
        "eventId": 258,
        "threadId": thread,
        "version": now_ms.to_string(),
        "editTime": now_text(now_ms),
        "editedBy": escaped(&who(&members.before, editor)),
        "properties": escaped(&properties(tx, thread, editor)?),
    }))
}

/// 259 chatThreadDeleted.
pub fn thread_deleted(members: &Members, thread: &str, deleter: &str, now_ms: i64) -> Value {
    json!({
        "eventId": 259,
        "threadId": thread,
        "version": now_ms.to_string(),
        "deleteTime": now_text(now_ms),
        "deletedBy": escaped(&who(&members.before, deleter)),
        "reason": "deletedByUser",
    })
}

/// 260 participantsAdded / 261 participantsRemoved: the difference the write made
/// (`None` when it changed nobody).
pub fn membership(members: &Members, thread: &str, by: &str, now_ms: i64) -> Option<Value> {
    let (event_id, field, by_field, list) = match members.diff()? {
        Diff::Added(a) => (260, "participantsAdded", "addedBy", a),
        Diff::Removed(r) => (261, "participantsRemoved", "removedBy", r),
    };
    let list: Vec<Value> = list.into_iter().map(participant_json).collect();
    let mut p = json!({
        "eventId": event_id,
        "threadId": thread,
        "version": now_ms.to_string(),
        "time": now_text(now_ms),
    });
    p[by_field] = escaped(&who(&members.before, by));
    p[field] = escaped(&Value::Array(list));
    Some(p)
}
