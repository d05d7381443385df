//! The facts an event is built from, read inside the write's own transaction after
//! the change: the rows REST answers from, so the events carry the same ids,
//! versions, times and metadata.

use rusqlite::{Transaction, params};

use super::super::api_error::ApiError;
use super::super::events::{Change, Member, MessageFacts, ThreadFacts};
use super::super::store::{messages, participants};
use crate::wire::ChatParticipant;

fn ms(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

fn member(p: &ChatParticipant) -> Member {
    Member {
        raw: p
            .communication_identifier
            .raw_id
            .clone()
            .unwrap_or_default(),
        display_name: p.display_name.clone(),
        metadata: p.metadata.clone().unwrap_or_default(),
    }
}

/// The current members of `thread`, in join order.
pub fn members(tx: &Transaction<'_>, thread: &str) -> Result<Vec<Member>, ApiError> {
    Ok(participants::members(tx, thread)?
        .iter()
        .map(member)
        .collect())
}

/// The thread as stored (deleted or not).
pub fn thread(tx: &Transaction<'_>, id: &str) -> Result<ThreadFacts, ApiError> {
    let (topic, created_ms, version, metadata): (String, i64, i64, Option<String>) = tx
        .query_row(
            "SELECT topic, created_ms, MAX(last_version, created_ms), metadata FROM threads WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    Ok(ThreadFacts {
        id: id.to_owned(),
        topic,
        created_ms,
        version,
        metadata: metadata
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default(),
    })
}

/// Message `id` as `reader` (a member) sees it through REST.
pub fn message(
    tx: &Transaction<'_>,
    thread: &str,
    reader: &str,
    id: i64,
) -> Result<MessageFacts, ApiError> {
    let m = messages::get(tx, thread, reader, id)?;
    Ok(MessageFacts {
        id,
        version: m.version.parse().unwrap_or(id),
        sender: m
            .sender_communication_identifier
            .and_then(|s| s.raw_id)
            .unwrap_or_else(|| reader.to_owned()),
        sender_display_name: m.sender_display_name,
        kind: m.kind,
        content: m.content.and_then(|c| c.message).unwrap_or_default(),
        metadata: m.metadata.unwrap_or_default(),
        created_ms: ms(m.created_on),
        edited_ms: m.edited_on.map(ms),
        deleted_ms: m.deleted_on.map(ms),
    })
}

/// What a membership write changed: the members added, or the one removed.
pub fn membership(
    tx: &Transaction<'_>,
    thread: &str,
    by: &str,
    before: &[Member],
) -> Result<Option<Change>, ApiError> {
    let after = members(tx, thread)?;
    let absent = |list: &[Member], m: &Member| !list.iter().any(|o| o.raw == m.raw);
    let added: Vec<Member> = after
        .iter()
        .filter(|m| absent(before, m))
        .cloned()
        .collect();
    let removed = before.iter().find(|m| absent(&after, m));
    Ok(match (added.is_empty(), removed) {
        (false, _) => Some(Change::ParticipantsAdded {
            by: by.to_owned(),
            added,
        }),
        (true, Some(r)) => Some(Change::ParticipantRemoved {
            by: by.to_owned(),
            removed: r.clone(),
        }),
        (true, None) => None,
    })
}

/// The change a message write made, for [`super::EventGrid::record`].
pub fn message_change(
    tx: &Transaction<'_>,
    thread: &str,
    reader: &str,
    id: i64,
    kind: fn(MessageFacts) -> Change,
) -> Result<Option<(String, Change)>, ApiError> {
    Ok(Some((
        thread.to_owned(),
        kind(message(tx, thread, reader, id)?),
    )))
}
