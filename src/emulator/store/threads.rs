//! Threads: create (with its two system messages and `repeatability-request-id`),
//! properties, update, delete, and the caller's thread list ordered by last activity.

use super::cached::CachedStatements as _;
use rusqlite::{OptionalExtension as _, Transaction, params};

use super::participants::{self, Candidate};
use super::rows::{self, ThreadRow, at, ident, metadata_from_json, metadata_to_json};
use crate::emulator::api_error::ApiError;
use crate::emulator::paging::ThreadCursor;
use crate::wire::{
    ChatMessageType, ChatThreadItem, ChatThreadProperties, CreateChatThreadResult, Metadata,
    RetentionPolicy,
};

/// How long a `repeatability-request-id` replays its first result.
const REPEATABILITY_MS: i64 = 24 * 3600 * 1000;

/// A validated CreateChatThread request.
#[derive(Debug, Clone)]
pub struct NewThread {
    pub topic: String,
    pub participants: Vec<Candidate>,
    pub metadata: Metadata,
    pub retention: Option<RetentionPolicy>,
    pub repeat_id: Option<String>,
}

/// The result of CreateChatThread: the thread id (for `Location`) and the JSON body.
#[derive(Debug, Clone)]
pub struct Created {
    pub thread_id: String,
    pub body: String,
}

pub fn properties(row: &ThreadRow) -> ChatThreadProperties {
    ChatThreadProperties {
        id: row.id.clone(),
        topic: row.topic.clone(),
        created_on: at(row.created_ms),
        created_by_communication_identifier: ident(&row.created_by),
        deleted_on: row.deleted_ms.map(at),
        metadata: metadata_from_json(row.metadata.clone()),
        retention_policy: row
            .retention
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok()),
    }
}

pub fn create(
    tx: &Transaction<'_>,
    caller: &str,
    new: NewThread,
    id: String,
    now: i64,
) -> Result<Created, ApiError> {
    if let Some(rid) = &new.repeat_id {
        let earlier: Option<(String, String)> = tx.query_row_cached(
                "SELECT thread_id, response FROM repeatability WHERE creator = ?1 AND request_id = ?2 AND created_ms > ?3",
                params![caller, rid, now - REPEATABILITY_MS],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((thread_id, body)) = earlier {
            return Ok(Created { thread_id, body });
        }
    }
    let retention = new
        .retention
        .as_ref()
        .and_then(|r| serde_json::to_string(r).ok());
    tx.execute_cached(
        "INSERT INTO threads (id, topic, created_ms, created_by, metadata, retention, activity_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3)",
        params![
            id,
            new.topic,
            now,
            caller,
            metadata_to_json(&new.metadata),
            retention
        ],
    )?;
    let mut candidates = new.participants;
    if !candidates.iter().any(|c| c.raw == caller) {
        candidates.push(Candidate::bare(caller));
    }
    let (added, invalid) = participants::admit(tx, &id, candidates, now)?;
    super::messages::add_system(
        tx,
        &id,
        ChatMessageType::ParticipantAdded,
        None,
        Some(&added),
        caller,
        now,
    )?;
    super::messages::add_system(
        tx,
        &id,
        ChatMessageType::TopicUpdated,
        Some(&new.topic),
        None,
        caller,
        now,
    )?;
    let row = rows::load_thread(tx, &id)?.ok_or_else(ApiError::unavailable)?;
    let result = CreateChatThreadResult {
        chat_thread: Some(properties(&row)),
        invalid_participants: if invalid.is_empty() {
            None
        } else {
            Some(invalid)
        },
    };
    let body = serde_json::to_string(&result).map_err(|_| ApiError::unavailable())?;
    if let Some(rid) = &new.repeat_id {
        tx.execute_cached(
            "INSERT OR REPLACE INTO repeatability (creator, request_id, thread_id, created_ms, response) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![caller, rid, id, now, body],
        )?;
    }
    Ok(Created {
        thread_id: id,
        body,
    })
}

pub fn get(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
) -> Result<ChatThreadProperties, ApiError> {
    Ok(properties(&rows::require_member(tx, thread, caller)?))
}

/// A validated UpdateChatThreadProperties request.
#[derive(Debug, Clone, Default)]
pub struct ThreadPatch {
    pub topic: Option<String>,
    pub metadata: Option<Metadata>,
    pub retention: Option<RetentionPolicy>,
}

pub fn update(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    patch: ThreadPatch,
    now: i64,
) -> Result<(), ApiError> {
    let row = rows::require_member(tx, thread, caller)?;
    if let Some(m) = &patch.metadata {
        let merged = rows::merge_metadata(
            metadata_from_json(row.metadata.clone()).unwrap_or_default(),
            m,
        );
        crate::emulator::limits::check_metadata("thread metadata", &merged)?;
        tx.execute_cached(
            "UPDATE threads SET metadata = ?2 WHERE id = ?1",
            params![thread, metadata_to_json(&merged)],
        )?;
    }
    if let Some(r) = &patch.retention {
        tx.execute_cached(
            "UPDATE threads SET retention = ?2 WHERE id = ?1",
            params![thread, serde_json::to_string(r).ok()],
        )?;
    }
    if let Some(topic) = &patch.topic {
        tx.execute_cached(
            "UPDATE threads SET topic = ?2 WHERE id = ?1",
            params![thread, topic],
        )?;
        super::messages::add_system(
            tx,
            thread,
            ChatMessageType::TopicUpdated,
            Some(topic),
            None,
            caller,
            now,
        )?;
    }
    Ok(())
}

/// Deletes a thread; deleting a deleted thread again is a no-op success.
pub fn delete(tx: &Transaction<'_>, thread: &str, caller: &str, now: i64) -> Result<(), ApiError> {
    let row = rows::load_thread(tx, thread)?.ok_or_else(ApiError::thread_not_found)?;
    if row.deleted_ms.is_some() {
        return Ok(());
    }
    if !rows::is_member(tx, thread, caller)? {
        return Err(ApiError::not_participant());
    }
    tx.execute_cached(
        "UPDATE threads SET deleted_ms = ?2 WHERE id = ?1",
        params![thread, now],
    )?;
    rows::bump_version(tx, thread, now)?;
    Ok(())
}

/// One page of the caller's threads (including deleted ones and ones they left),
/// most recently active first.
pub fn list(
    tx: &Transaction<'_>,
    caller: &str,
    cursor: Option<ThreadCursor>,
    start_ms: i64,
    size: i64,
) -> Result<(Vec<ChatThreadItem>, Option<ThreadCursor>), ApiError> {
    let cursor = match cursor {
        Some(c) => c,
        None => {
            let hw: Option<i64> =
                tx.query_row_cached("SELECT MAX(activity_ms) FROM thread_activity", [], |r| {
                    r.get(0)
                })?;
            let hw = hw.unwrap_or(0);
            ThreadCursor {
                high_water: hw,
                before_activity: hw + 1,
                before_id: String::new(),
                start: start_ms,
            }
        }
    };
    // Each of the caller's threads at its activity as of the high-water mark (the
    // latest history row at or below it: one index seek per thread, however busy).
    let mut stmt = tx.prepare_cached(
        "SELECT t.id, t.topic, t.deleted_ms, x.act FROM (
             SELECT p.thread_id AS tid,
                    (SELECT MAX(a.activity_ms) FROM thread_activity a
                      WHERE a.thread_id = p.thread_id AND a.activity_ms <= ?2) AS act
             FROM participants p WHERE p.user_id = ?1
         ) x JOIN threads t ON t.id = x.tid
         WHERE x.act IS NOT NULL AND x.act >= ?3 AND (x.act < ?4 OR (x.act = ?4 AND t.id < ?5))
         ORDER BY x.act DESC, t.id DESC LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            caller,
            cursor.high_water,
            cursor.start,
            cursor.before_activity,
            cursor.before_id,
            size + 1
        ],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        },
    )?;
    let mut page = Vec::new();
    let mut next = None;
    for row in rows {
        let (id, topic, deleted_ms, activity) = row?;
        if page.len() as i64 == size {
            next = page
                .last()
                .map(|(item, act): &(ChatThreadItem, i64)| ThreadCursor {
                    before_activity: *act,
                    before_id: item.id.clone(),
                    ..cursor.clone()
                });
            break;
        }
        let item = ChatThreadItem {
            id,
            topic,
            deleted_on: deleted_ms.map(at),
            last_message_received_on: Some(at(activity)),
        };
        page.push((item, activity));
    }
    Ok((page.into_iter().map(|(i, _)| i).collect(), next))
}
