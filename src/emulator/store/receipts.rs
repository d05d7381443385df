//! Read receipts: one per participant (the latest), pointing at an existing message.

use super::cached::CachedStatements as _;
use rusqlite::{Transaction, params};

use super::rows::{self, at, ident};
use crate::emulator::api_error::ApiError;
use crate::wire::ChatMessageReadReceipt;

pub fn send(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    message: i64,
    now: i64,
) -> Result<(), ApiError> {
    rows::require_member(tx, thread, caller)?;
    if !super::messages::exists(tx, thread, message)? {
        return Err(ApiError::message_not_found());
    }
    tx.execute_cached(
        "INSERT INTO read_receipts (thread_id, user_id, message_id, read_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (thread_id, user_id) DO UPDATE SET message_id = ?3, read_ms = ?4",
        params![thread, caller, message, now],
    )?;
    Ok(())
}

/// One page of receipts, oldest read first; `true` if more follow.
pub fn list(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
    skip: i64,
    size: i64,
) -> Result<(Vec<ChatMessageReadReceipt>, bool), ApiError> {
    rows::require_member(tx, thread, caller)?;
    let mut stmt = tx.prepare_cached(
        "SELECT user_id, message_id, read_ms FROM read_receipts WHERE thread_id = ?1
         ORDER BY read_ms, user_id LIMIT ?2 OFFSET ?3",
    )?;
    let mut page = stmt
        .query_map(params![thread, size + 1, skip], |r| {
            Ok(ChatMessageReadReceipt {
                sender_communication_identifier: ident(&r.get::<_, String>(0)?),
                chat_message_id: r.get::<_, i64>(1)?.to_string(),
                read_on: at(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = page.len() as i64 > size;
    page.truncate(size as usize);
    Ok((page, more))
}
