//! Participants: admitting new members (unknown users are reported, not fatal),
//! listing current members with `skip` paging, and removal. Removed members keep a
//! row (inactive) so the thread stays in their thread list, as the service does.

use super::cached::CachedStatements as _;
use rusqlite::{OptionalExtension as _, Transaction, params};

use super::rows::{self, at, ident, metadata_from_json, metadata_to_json};
use crate::emulator::api_error::ApiError;
use crate::emulator::ids::Identifier;
use crate::emulator::limits::MAX_PARTICIPANTS;
use crate::wire::{ChatMessageType, ChatParticipant, CommunicationError, Metadata};

/// A participant from a request body, with its identifier already checked.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub raw: String,
    pub kind: Identifier,
    pub display_name: Option<String>,
    pub share_history_ms: i64,
    pub metadata: Metadata,
}

impl Candidate {
    /// A participant with only an id (the implicitly added creator).
    pub fn bare(raw: &str) -> Self {
        Self {
            raw: raw.to_owned(),
            kind: Identifier::AcsUser(raw.to_owned()),
            display_name: None,
            share_history_ms: 0,
            metadata: Metadata::new(),
        }
    }

    fn to_wire(&self) -> ChatParticipant {
        ChatParticipant {
            communication_identifier: ident(&self.raw),
            display_name: self.display_name.clone(),
            share_history_time: Some(at(self.share_history_ms)),
            metadata: if self.metadata.is_empty() {
                None
            } else {
                Some(self.metadata.clone())
            },
        }
    }
}

fn permission_failed(raw: &str) -> CommunicationError {
    CommunicationError {
        code: "403".to_owned(),
        message: "Permissions check failed".to_owned(),
        target: Some(raw.to_owned()),
        ..CommunicationError::default()
    }
}

fn user_exists(tx: &Transaction<'_>, raw: &str) -> rusqlite::Result<bool> {
    Ok(tx
        .query_row_cached(
            "SELECT 1 FROM identities WHERE id = ?1 AND deleted_ms IS NULL",
            params![raw],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .is_some())
}

/// Makes the valid, not-yet-present candidates members. Returns those added (for the
/// `participantAdded` system message) and the per-participant failures.
pub fn admit(
    tx: &Transaction<'_>,
    thread: &str,
    candidates: Vec<Candidate>,
    _now: i64,
) -> Result<(Vec<ChatParticipant>, Vec<CommunicationError>), ApiError> {
    let mut added: Vec<ChatParticipant> = Vec::new();
    let mut invalid = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in candidates {
        if !seen.insert(c.raw.clone()) {
            continue;
        }
        if !matches!(c.kind, Identifier::AcsUser(_)) || !user_exists(tx, &c.raw)? {
            invalid.push(permission_failed(&c.raw));
            continue;
        }
        if rows::is_member(tx, thread, &c.raw)? {
            continue;
        }
        let ord: i64 = tx.query_row_cached(
            "SELECT COALESCE(MAX(ord), 0) + 1 FROM participants WHERE thread_id = ?1",
            params![thread],
            |r| r.get(0),
        )?;
        tx.execute_cached(
            "INSERT INTO participants (thread_id, user_id, display_name, share_history_ms, metadata, active, ord)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)
             ON CONFLICT (thread_id, user_id) DO UPDATE SET display_name = ?3, share_history_ms = ?4, metadata = ?5,
               active = 1, ord = ?6",
            params![thread, c.raw, c.display_name, c.share_history_ms, metadata_to_json(&c.metadata), ord],
        )?;
        added.push(c.to_wire());
    }
    Ok((added, invalid))
}

/// AddChatParticipants: returns the failures for `invalidParticipants`.
pub fn add(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    candidates: Vec<Candidate>,
    now: i64,
) -> Result<Vec<CommunicationError>, ApiError> {
    rows::require_member(tx, thread, caller)?;
    let current: i64 = tx.query_row_cached(
        "SELECT COUNT(*) FROM participants WHERE thread_id = ?1 AND active = 1",
        params![thread],
        |r| r.get(0),
    )?;
    let mut newcomers = 0;
    for c in &candidates {
        if !rows::is_member(tx, thread, &c.raw)? {
            newcomers += 1;
        }
    }
    if current + newcomers > MAX_PARTICIPANTS {
        return Err(ApiError::bad_request(format!(
            "A thread can have at most {MAX_PARTICIPANTS} participants."
        )));
    }
    let (added, invalid) = admit(tx, thread, candidates, now)?;
    if !added.is_empty() {
        super::messages::add_system(
            tx,
            thread,
            ChatMessageType::ParticipantAdded,
            None,
            Some(&added),
            caller,
            now,
        )?;
    }
    Ok(invalid)
}

fn participant(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChatParticipant> {
    Ok(ChatParticipant {
        communication_identifier: ident(&r.get::<_, String>(0)?),
        display_name: r.get(1)?,
        share_history_time: Some(at(r.get(2)?)),
        metadata: metadata_from_json(r.get(3)?),
    })
}

/// RemoveChatParticipant. A member may remove anyone, including themselves;
/// removing a non-member changes nothing.
pub fn remove(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    target: &str,
    now: i64,
) -> Result<(), ApiError> {
    rows::load_thread(tx, thread)?
        .filter(|t| t.deleted_ms.is_none())
        .ok_or_else(ApiError::thread_not_found)?;
    if !rows::is_member(tx, thread, caller)? {
        return Err(ApiError::no_permission());
    }
    let removed = tx
        .query_row_cached(
            "SELECT user_id, display_name, share_history_ms, metadata FROM participants
             WHERE thread_id = ?1 AND user_id = ?2 AND active = 1",
            params![thread, target],
            participant,
        )
        .optional()?;
    let Some(removed) = removed else {
        return Ok(());
    };
    tx.execute_cached(
        "UPDATE participants SET active = 0 WHERE thread_id = ?1 AND user_id = ?2",
        params![thread, target],
    )?;
    super::messages::add_system(
        tx,
        thread,
        ChatMessageType::ParticipantRemoved,
        None,
        Some(&[removed]),
        caller,
        now,
    )?;
    Ok(())
}

/// One page of current members in the order they joined; `true` if more follow.
pub fn list(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    skip: i64,
    size: i64,
) -> Result<(Vec<ChatParticipant>, bool), ApiError> {
    rows::require_member(tx, thread, caller)?;
    let mut stmt = tx.prepare_cached(
        "SELECT user_id, display_name, share_history_ms, metadata FROM participants
         WHERE thread_id = ?1 AND active = 1 ORDER BY ord LIMIT ?2 OFFSET ?3",
    )?;
    let mut page = stmt
        .query_map(params![thread, size + 1, skip], participant)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = page.len() as i64 > size;
    page.truncate(size as usize);
    Ok((page, more))
}

/// A thread's current members, whoever asks (who a real-time event goes to).
pub fn members(tx: &Transaction<'_>, thread: &str) -> rusqlite::Result<Vec<ChatParticipant>> {
    let mut stmt = tx.prepare_cached(
        "SELECT user_id, display_name, share_history_ms, metadata FROM participants
         WHERE thread_id = ?1 AND active = 1 ORDER BY ord",
    )?;
    stmt.query_map(params![thread], participant)?.collect()
}
