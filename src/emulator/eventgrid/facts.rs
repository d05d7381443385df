//! The facts an event is built from, read inside the write's own transaction after
//! the change: the rows REST answers from, so the events carry the same ids,
//! versions, times and metadata.

use rusqlite::{Transaction, params};

use super::super::api_error::ApiError;
use super::super::events::{Change, Member, MessageFacts, ThreadFacts};
use super::super::store::membership::{Diff, Members};
use super::super::store::messages;
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

/// `members` as events name them, in join order.
pub fn members(members: &[ChatParticipant]) -> Vec<Member> {
    members.iter().map(member).collect()
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

/// What a membership write changed, by the one rule of [`Members::diff`].
pub fn membership(members: &Members, by: &str) -> Option<Change> {
    let by = by.to_owned();
    let list = |l: Vec<&ChatParticipant>| l.into_iter().map(member).collect();
    members.diff().map(|d| match d {
        Diff::Added(a) => Change::ParticipantsAdded { by, added: list(a) },
        Diff::Removed(r) => Change::ParticipantsRemoved {
            by,
            removed: list(r),
        },
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

#[cfg(test)]
mod tests {
    use super::super::super::store::membership::list;
    use super::*;

    #[test]
    fn event_grid_reports_every_removed_member_and_nothing_for_no_change() {
        let m = Members {
            before: list(&["a", "b", "c"]),
            after: list(&["a"]),
        };
        match membership(&m, "a") {
            Some(Change::ParticipantsRemoved { removed, .. }) => {
                let raws: Vec<&str> = removed.iter().map(|r| r.raw.as_str()).collect();
                assert_eq!(raws, ["b", "c"]);
            }
            other => panic!("a removal, not {other:?}"),
        }
        let same = Members {
            before: list(&["a"]),
            after: list(&["a"]),
        };
        assert!(membership(&same, "a").is_none());
    }
}
