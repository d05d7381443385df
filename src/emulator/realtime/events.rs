//! The pushed events, with exactly the fields the signaling client reads
//! (`TrouterUtils.ts`), taken from the same rows REST answers with, so the SDK's
//! event objects equal what REST returns.

use rusqlite::Transaction;
use serde_json::{Value, json};

use super::super::api_error::ApiError;
use super::super::store::{at, messages, participants};
use super::hub::Event;
use crate::wire::timestamp::format_whole_seconds;

/// A field of a REST object as a string ("" when absent).
fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `chatMessageReceived` (200) for message `id`, to every current member; read in
/// the writing transaction.
pub fn message_received(
    tx: &Transaction<'_>,
    thread: &str,
    sender: &str,
    id: i64,
) -> Result<Event, ApiError> {
    let message = serde_json::to_value(messages::get(tx, thread, sender, id)?)
        .map_err(|_| ApiError::unavailable())?;
    let metadata = message
        .get("metadata")
        .filter(|m| m.as_object().is_some_and(|o| !o.is_empty()))
        .map(Value::to_string)
        .unwrap_or_default();
    let payload = json!({
        "eventId": 200,
        "senderId": sender,
        "groupId": thread,
        "messageId": text(&message, "id"),
        "clientMessageId": "",
        "senderDisplayName": text(&message, "senderDisplayName"),
        "messageType": text(&message, "type"),
        "messageBody": message.pointer("/content/message").and_then(Value::as_str).unwrap_or_default(),
        "version": text(&message, "version"),
        "originalArrivalTime": text(&message, "createdOn"),
        "acsChatMessageMetadata": metadata,
        "attachments": "",
    });
    Ok(to_members(tx, thread, payload)?)
}

/// `typingIndicatorReceived` (245) from `sender`, to every current member.
pub fn typing(
    tx: &Transaction<'_>,
    thread: &str,
    sender: &str,
    display_name: &str,
    now_ms: i64,
) -> Result<Event, ApiError> {
    let payload = json!({
        "eventId": 245,
        "senderId": sender,
        "groupId": thread,
        "senderDisplayName": display_name,
        "version": now_ms.to_string(),
        "originalArrivalTime": format_whole_seconds(at(now_ms)),
    });
    Ok(to_members(tx, thread, payload)?)
}

/// The event for the thread's current members; each copy names its recipient.
fn to_members(tx: &Transaction<'_>, thread: &str, payload: Value) -> rusqlite::Result<Event> {
    let recipients = participants::member_ids(tx, thread)?;
    Ok(Event {
        recipients,
        body: Box::new(move |recipient| {
            let mut p = payload.clone();
            p["recipientMri"] = Value::String(recipient.to_owned());
            p.to_string()
        }),
    })
}
