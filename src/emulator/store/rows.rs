//! Shared row-level helpers of the store: the clock, JSON columns, thread lookups
//! with the membership checks every thread-scoped operation starts with, and the
//! per-thread counters (sequence ids, versions, activity).

use super::cached::CachedStatements as _;
use rusqlite::{OptionalExtension as _, Transaction, params};
use time::OffsetDateTime;

use crate::emulator::api_error::ApiError;
use crate::wire::{CommunicationIdentifierModel, Metadata};

/// The wall clock in epoch milliseconds.
pub fn now_ms() -> i64 {
    let now = OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Epoch milliseconds to a timestamp (clamped to the epoch on nonsense).
pub fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The wire identifier of a stored user id.
pub fn ident(raw: &str) -> CommunicationIdentifierModel {
    CommunicationIdentifierModel::user(raw)
}

pub fn metadata_to_json(m: &Metadata) -> Option<String> {
    if m.is_empty() {
        None
    } else {
        serde_json::to_string(m).ok()
    }
}

pub fn metadata_from_json(s: Option<String>) -> Option<Metadata> {
    s.and_then(|s| serde_json::from_str::<Metadata>(&s).ok())
        .filter(|m| !m.is_empty())
}

/// Merge-patch of a metadata map: sent keys replace, an empty value removes the key.
pub fn merge_metadata(mut current: Metadata, patch: &Metadata) -> Metadata {
    for (k, v) in patch {
        if v.is_empty() {
            current.remove(k);
        } else {
            current.insert(k.clone(), v.clone());
        }
    }
    current
}

/// The columns of a thread that operations need.
#[derive(Debug, Clone)]
pub struct ThreadRow {
    pub id: String,
    pub topic: String,
    pub created_ms: i64,
    pub created_by: String,
    pub deleted_ms: Option<i64>,
    pub metadata: Option<String>,
    pub retention: Option<String>,
}

pub fn load_thread(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<Option<ThreadRow>> {
    tx.query_row_cached(
        "SELECT id, topic, created_ms, created_by, deleted_ms, metadata, retention FROM threads WHERE id = ?1",
        params![id],
        |r| {
            Ok(ThreadRow {
                id: r.get(0)?,
                topic: r.get(1)?,
                created_ms: r.get(2)?,
                created_by: r.get(3)?,
                deleted_ms: r.get(4)?,
                metadata: r.get(5)?,
                retention: r.get(6)?,
            })
        },
    )
    .optional()
}

/// Whether `user` is a current participant of `thread`.
pub fn is_member(tx: &Transaction<'_>, thread: &str, user: &str) -> rusqlite::Result<bool> {
    let active: Option<i64> = tx
        .query_row_cached(
            "SELECT active FROM participants WHERE thread_id = ?1 AND user_id = ?2",
            params![thread, user],
            |r| r.get(0),
        )
        .optional()?;
    Ok(active == Some(1))
}

/// The thread, if it exists, is not deleted and `caller` is in it: 404 / 403 otherwise.
pub fn require_member(
    tx: &Transaction<'_>,
    thread: &str,
    caller: &str,
) -> Result<ThreadRow, ApiError> {
    let row = load_thread(tx, thread)?
        .filter(|t| t.deleted_ms.is_none())
        .ok_or_else(ApiError::thread_not_found)?;
    if !is_member(tx, thread, caller)? {
        return Err(ApiError::not_participant());
    }
    Ok(row)
}

/// Takes the next version (unique, increasing per thread, close to `now`) and
/// records the change as the thread's latest activity.
pub fn bump_version(tx: &Transaction<'_>, thread: &str, now: i64) -> rusqlite::Result<i64> {
    let activity = next_activity(tx, now)?;
    let version = tx.query_row_cached(
        "UPDATE threads SET last_version = MAX(?2, last_version + 1), activity_ms = ?3
         WHERE id = ?1 RETURNING last_version",
        params![thread, now, activity],
        |r| r.get(0),
    )?;
    record_activity(tx, thread, activity)?;
    Ok(version)
}

/// [`bump_version`] for a message written or changed: also takes the thread's next
/// sequence id. Returns (version, sequence id). One statement for the thread's three
/// counters: this runs on every send.
pub fn bump_version_and_seq(
    tx: &Transaction<'_>,
    thread: &str,
    now: i64,
) -> rusqlite::Result<(i64, i64)> {
    let activity = next_activity(tx, now)?;
    let counters = tx.query_row_cached(
        "UPDATE threads SET last_version = MAX(?2, last_version + 1), last_seq = last_seq + 1,
             activity_ms = ?3
         WHERE id = ?1 RETURNING last_version, last_seq",
        params![thread, now, activity],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    record_activity(tx, thread, activity)?;
    Ok(counters)
}

/// The activity time of a change made `now`. Activity times are increasing across
/// all threads (not only within one), so the thread list orders changes exactly as
/// they happened even within one millisecond.
fn next_activity(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<i64> {
    let last: Option<i64> =
        tx.query_row_cached("SELECT MAX(activity_ms) FROM thread_activity", [], |r| {
            r.get(0)
        })?;
    Ok(now.max(last.map_or(0, |l| l + 1)))
}

/// Keeps `activity` in the thread's activity history (see the schema).
fn record_activity(tx: &Transaction<'_>, thread: &str, activity: i64) -> rusqlite::Result<()> {
    tx.execute_cached(
        "INSERT INTO thread_activity (thread_id, activity_ms) VALUES (?1, ?2)",
        params![thread, activity],
    )?;
    Ok(())
}

/// Gives message `id` the sequence id `seq` at `version`, superseding its entry at
/// `old_version`.
pub fn assign_seq(
    tx: &Transaction<'_>,
    thread: &str,
    id: i64,
    old_version: Option<i64>,
    seq: i64,
    version: i64,
) -> rusqlite::Result<()> {
    if let Some(old) = old_version {
        tx.execute_cached(
            "UPDATE message_seq SET superseded_by = ?3 WHERE thread_id = ?1 AND version = ?2",
            params![thread, old, version],
        )?;
    }
    tx.execute_cached(
        "INSERT INTO message_seq (thread_id, version, seq, message_id) VALUES (?1, ?2, ?3, ?4)",
        params![thread, version, seq, id],
    )?;
    Ok(())
}
