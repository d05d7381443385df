//! Messages: send, list (newest first, by sequence id), get, edit, delete, and the
//! system messages the service writes itself. An edit or a delete gives the message
//! the next sequence id and a new version, so it moves to the top of the list and a
//! `startTime` poller sees it; deleted messages stay as tombstones.

use super::cached::CachedStatements as _;
use rusqlite::{OptionalExtension as _, Row, Transaction, params};

use super::rows::{self, at, ident, metadata_from_json, metadata_to_json};
use crate::emulator::api_error::ApiError;
use crate::emulator::paging::MessageCursor;
use crate::wire::{ChatMessage, ChatMessageContent, ChatMessageType, ChatParticipant, Metadata};

/// A user message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub content: String,
    pub display_name: Option<String>,
    pub kind: ChatMessageType,
    pub metadata: Metadata,
}

const COLUMNS: &str = "m.id, m.type, m.seq, m.version, m.created_ms, m.sender, m.sender_display_name, m.content, \
     m.topic, m.participants, m.initiator, m.metadata, m.edited_ms, m.deleted_ms";

fn render(r: &Row<'_>) -> rusqlite::Result<ChatMessage> {
    let kind = ChatMessageType::parse(&r.get::<_, String>(1)?);
    let sender: Option<String> = r.get(5)?;
    let deleted_ms: Option<i64> = r.get(13)?;
    let content = if kind.is_system() {
        let participants: Option<String> = r.get(9)?;
        ChatMessageContent {
            topic: r.get(8)?,
            participants: participants
                .and_then(|p| serde_json::from_str::<Vec<ChatParticipant>>(&p).ok()),
            initiator_communication_identifier: r.get::<_, Option<String>>(10)?.map(|i| ident(&i)),
            ..ChatMessageContent::default()
        }
    } else {
        let text: Option<String> = r.get(7)?;
        ChatMessageContent {
            message: Some(if deleted_ms.is_some() {
                String::new()
            } else {
                text.unwrap_or_default()
            }),
            ..ChatMessageContent::default()
        }
    };
    let is_system = kind.is_system();
    Ok(ChatMessage {
        id: r.get::<_, i64>(0)?.to_string(),
        kind,
        sequence_id: r.get::<_, i64>(2)?.to_string(),
        version: r.get::<_, i64>(3)?.to_string(),
        content: Some(content),
        sender_display_name: if is_system {
            None
        } else {
            Some(r.get::<_, Option<String>>(6)?.unwrap_or_default())
        },
        created_on: at(r.get(4)?),
        sender_communication_identifier: sender.map(|s| ident(&s)),
        deleted_on: deleted_ms.map(at),
        edited_on: if deleted_ms.is_some() {
            None
        } else {
            r.get::<_, Option<i64>>(12)?.map(at)
        },
        metadata: if deleted_ms.is_some() {
            None
        } else {
            metadata_from_json(r.get(11)?)
        },
    })
}

/// One page of the history rows current at the high-water mark, newest first.
/// (Versions order a thread's history as sequence ids do: see the schema.)
fn list_sql() -> String {
    format!(
        "SELECT {COLUMNS}, s.version FROM message_seq s JOIN messages m ON m.thread_id = s.thread_id AND m.id = s.message_id
         WHERE s.thread_id = ?1 AND s.version <= ?2 AND s.version < ?3 AND s.version >= ?4
           AND (s.superseded_by IS NULL OR s.superseded_by > ?2)
         ORDER BY s.version DESC LIMIT ?5"
    )
}

/// Stores a user message; returns its id.
pub fn send(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    msg: &NewMessage,
    now: i64,
) -> Result<i64, ApiError> {
    rows::require_member(tx, thread, caller)?;
    let (version, seq) = rows::bump_version_and_seq(tx, thread, now)?;
    tx.execute_cached(
        "INSERT INTO messages (thread_id, id, type, seq, version, created_ms, sender, sender_display_name, content, metadata)
         VALUES (?1, ?2, ?3, ?4, ?2, ?5, ?6, ?7, ?8, ?9)",
        params![
            thread,
            version,
            msg.kind.as_str(),
            seq,
            now,
            caller,
            msg.display_name,
            msg.content,
            metadata_to_json(&msg.metadata)
        ],
    )?;
    rows::assign_seq(tx, thread, version, None, seq, version)?;
    Ok(version)
}

/// Writes a system message (participantAdded/Removed, topicUpdated).
pub fn add_system(
    tx: &Transaction<'_>,
    thread: &str,
    kind: ChatMessageType,
    topic: Option<&str>,
    participants: Option<&[ChatParticipant]>,
    initiator: &str,
    now: i64,
) -> Result<(), ApiError> {
    let (version, seq) = rows::bump_version_and_seq(tx, thread, now)?;
    let participants =
        participants.map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".to_owned()));
    tx.execute_cached(
        "INSERT INTO messages (thread_id, id, type, seq, version, created_ms, topic, participants, initiator)
         VALUES (?1, ?2, ?3, ?4, ?2, ?5, ?6, ?7, ?8)",
        params![thread, version, kind.as_str(), seq, now, topic, participants, initiator],
    )?;
    rows::assign_seq(tx, thread, version, None, seq, version)?;
    Ok(())
}

fn load(tx: &Transaction<'_>, thread: &str, id: i64) -> rusqlite::Result<Option<ChatMessage>> {
    tx.query_row_cached(
        &format!("SELECT {COLUMNS} FROM messages m WHERE m.thread_id = ?1 AND m.id = ?2"),
        params![thread, id],
        render,
    )
    .optional()
}

pub fn get(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    id: i64,
) -> Result<ChatMessage, ApiError> {
    rows::require_member(tx, thread, caller)?;
    load(tx, thread, id)?.ok_or_else(ApiError::message_not_found)
}

/// One page, newest first. `cursor` is `None` on the first page, which fixes the
/// high-water mark; returns the page and the cursor of the next one, if any.
pub fn list(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    cursor: Option<MessageCursor>,
    start_ms: i64,
    size: i64,
) -> Result<(Vec<ChatMessage>, Option<MessageCursor>), ApiError> {
    rows::require_member(tx, thread, caller)?;
    let cursor = match cursor {
        Some(c) => c,
        None => {
            let high_water: i64 = tx.query_row_cached(
                "SELECT last_version FROM threads WHERE id = ?1",
                params![thread],
                |r| r.get(0),
            )?;
            MessageCursor {
                high_water,
                before: high_water + 1,
                low: start_ms,
            }
        }
    };
    let mut stmt = tx.prepare_cached(&list_sql())?;
    let rows = stmt.query_map(
        params![
            thread,
            cursor.high_water,
            cursor.before,
            cursor.low,
            size + 1
        ],
        |r| Ok((render(r)?, r.get::<_, i64>(14)?)),
    )?;
    let mut page = Vec::new();
    let mut last_version = None;
    let mut more = false;
    for row in rows {
        let (msg, version) = row?;
        if page.len() as i64 == size {
            more = true;
            break;
        }
        page.push(msg);
        last_version = Some(version);
    }
    let next = match (more, last_version) {
        (true, Some(before)) => Some(MessageCursor { before, ..cursor }),
        _ => None,
    };
    Ok((page, next))
}

/// The stored state a change must check: sender, type and deletion. Returns the
/// message's current version, `None` for a tombstone.
fn editable(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    id: i64,
) -> Result<Option<i64>, ApiError> {
    rows::require_member(tx, thread, caller)?;
    let row: Option<(Option<String>, String, Option<i64>, i64)> = tx
        .query_row_cached(
            "SELECT sender, type, deleted_ms, version FROM messages WHERE thread_id = ?1 AND id = ?2",
            params![thread, id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (sender, kind, deleted, version) = row.ok_or_else(ApiError::message_not_found)?;
    if ChatMessageType::parse(&kind).is_system() || sender.as_deref() != Some(caller) {
        return Err(ApiError::no_permission());
    }
    Ok(if deleted.is_some() {
        None
    } else {
        Some(version)
    })
}

/// Edits content and/or merges metadata; the message moves to the top.
pub fn update(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    id: i64,
    content: Option<&str>,
    metadata: Option<&Metadata>,
    now: i64,
) -> Result<(), ApiError> {
    let old_version = editable(tx, thread, caller, id)?.ok_or_else(ApiError::message_not_found)?;
    let current: Option<String> = tx.query_row_cached(
        "SELECT metadata FROM messages WHERE thread_id = ?1 AND id = ?2",
        params![thread, id],
        |r| r.get(0),
    )?;
    let merged = match metadata {
        Some(patch) => rows::merge_metadata(metadata_from_json(current).unwrap_or_default(), patch),
        None => metadata_from_json(current).unwrap_or_default(),
    };
    let (version, seq) = rows::bump_version_and_seq(tx, thread, now)?;
    tx.execute_cached(
        "UPDATE messages SET content = COALESCE(?3, content), metadata = ?4, version = ?5, seq = ?6, edited_ms = ?7
         WHERE thread_id = ?1 AND id = ?2",
        params![thread, id, content, metadata_to_json(&merged), version, seq, now],
    )?;
    rows::assign_seq(tx, thread, id, Some(old_version), seq, version)?;
    Ok(())
}

/// Deletes (tombstones) a message; deleting a tombstone again changes nothing.
pub fn delete(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    id: i64,
    now: i64,
) -> Result<(), ApiError> {
    let Some(old_version) = editable(tx, thread, caller, id)? else {
        return Ok(());
    };
    let (version, seq) = rows::bump_version_and_seq(tx, thread, now)?;
    tx.execute_cached(
        "UPDATE messages SET content = '', metadata = NULL, version = ?3, seq = ?4, deleted_ms = ?5
         WHERE thread_id = ?1 AND id = ?2",
        params![thread, id, version, seq, now],
    )?;
    rows::assign_seq(tx, thread, id, Some(old_version), seq, version)?;
    Ok(())
}

/// Whether message `id` exists in `thread` (read receipts must point at one).
pub fn exists(tx: &Transaction<'_>, thread: &str, id: i64) -> rusqlite::Result<bool> {
    Ok(tx
        .query_row_cached(
            "SELECT 1 FROM messages WHERE thread_id = ?1 AND id = ?2",
            params![thread, id],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Listing a thread of a million messages must seek, never scan: every table
    /// access in the plans goes through a key or index.
    #[test]
    fn list_queries_use_indexes() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("db");
        super::super::schema::prepare(&mut conn, false).expect("schema");
        let sql = list_sql();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan");
        let plan: Vec<String> = stmt
            .query_map(params!["t", 1, 1, 1, 1], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("plan rows");
        assert!(
            plan.iter().all(|step| !step.starts_with("SCAN")),
            "{sql}: {plan:?}"
        );
        assert!(
            plan.iter().all(|step| !step.contains("TEMP B-TREE")),
            "no sort step: {plan:?}"
        );
    }
}
