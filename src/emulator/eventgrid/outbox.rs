//! The transactional outbox: the event rows written in the same transaction as the
//! change that raised them, and the delivery state beside them — a cursor per
//! subscription (no per-event row on the hot path), a sparse retry table for the
//! deliveries that failed, and the dead letters.

use rusqlite::{OptionalExtension as _, Transaction, params};

use super::super::events::{ChatEvent, EventType};

pub const SCHEMA: &str = r#"
-- AUTOINCREMENT: pruning deletes the newest rows too, and a reused seq would fall
-- behind the cursors and never be delivered.
CREATE TABLE IF NOT EXISTS event_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_subscriptions (
    name TEXT PRIMARY KEY,
    def TEXT NOT NULL,
    from_api INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS event_retry (
    subscription TEXT NOT NULL,
    seq INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_ms INTEGER NOT NULL,
    last_status INTEGER,
    last_ms INTEGER NOT NULL,
    PRIMARY KEY (subscription, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_dead_letter (
    subscription TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    last_status INTEGER,
    last_ms INTEGER NOT NULL,
    PRIMARY KEY (subscription, seq)
) WITHOUT ROWID;
"#;

/// Subscription states, as stored and listed.
pub const AWAITING: &str = "AwaitingValidation";
pub const ACTIVE: &str = "Active";
pub const FAILED: &str = "ValidationFailed";

/// An event row with its place in the outbox.
#[derive(Debug, Clone)]
pub struct Stored {
    pub seq: i64,
    pub event: ChatEvent,
}

pub fn insert(tx: &Transaction<'_>, events: &[ChatEvent]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO event_outbox (id, type, subject, time_ms, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for e in events {
        stmt.execute(params![
            e.id,
            e.event_type.name(),
            e.subject,
            e.time_ms,
            e.data.to_string()
        ])?;
    }
    Ok(())
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Stored>> {
    stored_at(r, 0)
}

const COLUMNS: &str = "seq, id, type, subject, time_ms, data";

/// Up to `limit` rows after `after`, and the last seq looked at.
pub fn after(tx: &Transaction<'_>, after: i64, limit: i64) -> rusqlite::Result<(Vec<Stored>, i64)> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM event_outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![after, limit])?;
    let (mut out, mut last) = (Vec::new(), after);
    while let Some(r) = rows.next()? {
        last = r.get(0)?;
        out.extend(stored(r)?);
    }
    Ok((out, last))
}

pub fn one(tx: &Transaction<'_>, seq: i64) -> rusqlite::Result<Option<Stored>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM event_outbox WHERE seq = ?1"
        ))?
        .query_row(params![seq], stored)
        .optional()?
        .flatten())
}

pub fn last_seq(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM event_outbox", [], |r| {
        r.get(0)
    })
}

pub fn set_cursor(tx: &Transaction<'_>, sub: &str, through: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE event_subscriptions SET through_seq = MAX(through_seq, ?2) WHERE name = ?1",
    )?
    .execute(params![sub, through])?;
    Ok(())
}

/// A delivery that failed and will be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub seq: i64,
    pub attempts: u32,
}

pub fn schedule_retry(
    tx: &Transaction<'_>,
    sub: &str,
    seq: i64,
    attempts: u32,
    next_ms: i64,
    status: Option<u16>,
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO event_retry (subscription, seq, attempts, next_ms, last_status, last_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (subscription, seq) DO UPDATE SET attempts = ?3, next_ms = ?4, last_status = ?5, last_ms = ?6",
    )?
    .execute(params![sub, seq, attempts, next_ms, status, now])?;
    Ok(())
}

pub fn due_retries(
    tx: &Transaction<'_>,
    sub: &str,
    now: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Retry>> {
    tx.prepare_cached(
        "SELECT seq, attempts FROM event_retry WHERE subscription = ?1 AND next_ms <= ?2
         ORDER BY next_ms LIMIT ?3",
    )?
    .query_map(params![sub, now, limit], |r| {
        Ok(Retry {
            seq: r.get(0)?,
            attempts: r.get(1)?,
        })
    })?
    .collect()
}

pub fn next_retry_ms(tx: &Transaction<'_>, sub: &str) -> rusqlite::Result<Option<i64>> {
    tx.query_row(
        "SELECT MIN(next_ms) FROM event_retry WHERE subscription = ?1",
        params![sub],
        |r| r.get(0),
    )
}

pub fn clear_retry(tx: &Transaction<'_>, sub: &str, seq: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM event_retry WHERE subscription = ?1 AND seq = ?2")?
        .execute(params![sub, seq])?;
    Ok(())
}

/// Why and how a delivery ended undelivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Death {
    pub reason: &'static str,
    pub attempts: u32,
    pub outcome: String,
    pub status: Option<u16>,
}

pub fn dead_letter(
    tx: &Transaction<'_>,
    sub: &str,
    seq: i64,
    d: &Death,
    now: i64,
) -> rusqlite::Result<()> {
    clear_retry(tx, sub, seq)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO event_dead_letter (subscription, seq, reason, attempts, outcome, last_status, last_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![sub, seq, d.reason, d.attempts, d.outcome, d.status, now])?;
    Ok(())
}

/// A dead letter with its event.
#[derive(Debug, Clone)]
pub struct DeadRow {
    pub subscription: String,
    pub death: Death,
    pub last_ms: i64,
    pub event: Stored,
}

pub fn dead_letters(tx: &Transaction<'_>, sub: Option<&str>) -> rusqlite::Result<Vec<DeadRow>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT d.subscription, d.reason, d.attempts, d.outcome, d.last_status, d.last_ms, {}
         FROM event_dead_letter d JOIN event_outbox o ON o.seq = d.seq
         WHERE ?1 IS NULL OR d.subscription = ?1 ORDER BY d.subscription, d.seq",
        COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    let mut rows = stmt.query(params![sub])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let reason: String = r.get(1)?;
        let Some(event) = stored_at(r, 6)? else {
            continue;
        };
        out.push(DeadRow {
            subscription: r.get(0)?,
            death: Death {
                reason: static_reason(&reason),
                attempts: r.get(2)?,
                outcome: r.get(3)?,
                status: r.get(4)?,
            },
            last_ms: r.get(5)?,
            event,
        });
    }
    Ok(out)
}

/// The event in the six columns from `at`. Rows this program wrote; one it cannot
/// read is skipped, never fatal.
fn stored_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<Stored>> {
    let kind: String = r.get(at + 2)?;
    let data: String = r.get(at + 5)?;
    let (Some(event_type), Ok(data)) = (EventType::parse(&kind), serde_json::from_str(&data))
    else {
        return Ok(None);
    };
    Ok(Some(Stored {
        seq: r.get(at)?,
        event: ChatEvent {
            id: r.get(at + 1)?,
            event_type,
            subject: r.get(at + 3)?,
            time_ms: r.get(at + 4)?,
            data,
        },
    }))
}

/// The dead-letter reasons Event Grid writes.
pub const REASONS: [&str; 4] = [
    "MaxDeliveryAttemptsExceeded",
    "TimeToLiveExceeded",
    "UndeliverableDueToHttpBadRequest",
    "UndeliverableDueToClientError",
];

fn static_reason(s: &str) -> &'static str {
    REASONS.into_iter().find(|r| *r == s).unwrap_or("Unknown")
}

/// Moves `sub`'s dead letters back to the retry table, due now, with a fresh count.
pub fn redeliver(tx: &Transaction<'_>, sub: &str, now: i64) -> rusqlite::Result<usize> {
    let moved = tx.execute(
        "INSERT OR REPLACE INTO event_retry (subscription, seq, attempts, next_ms, last_status, last_ms)
         SELECT subscription, seq, 0, ?2, last_status, last_ms FROM event_dead_letter WHERE subscription = ?1",
        params![sub, now],
    )?;
    tx.execute(
        "DELETE FROM event_dead_letter WHERE subscription = ?1",
        params![sub],
    )?;
    Ok(moved)
}

pub fn counts(tx: &Transaction<'_>, sub: &str) -> rusqlite::Result<(u64, u64)> {
    let count = |table: &str| -> rusqlite::Result<u64> {
        let n: i64 = tx.query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE subscription = ?1"),
            params![sub],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok((count("event_retry")?, count("event_dead_letter")?))
}

/// Deletes rows every subscription is past and none retries or keeps dead; with no
/// subscription left, every row no dead letter holds.
pub fn prune(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    let low: Option<i64> = tx.query_row(
        "SELECT MIN(through_seq) FROM event_subscriptions WHERE state != ?1",
        params![FAILED],
        |r| r.get(0),
    )?;
    tx.execute(
        "DELETE FROM event_outbox WHERE seq <= ?1
           AND seq NOT IN (SELECT seq FROM event_retry)
           AND seq NOT IN (SELECT seq FROM event_dead_letter)",
        params![low.unwrap_or(i64::MAX)],
    )
}

/// A stored subscription row.
#[derive(Debug, Clone)]
pub struct SubRow {
    pub name: String,
    pub def: String,
    pub from_api: bool,
    pub state: String,
    pub detail: Option<String>,
}

pub fn subscriptions(tx: &Transaction<'_>) -> rusqlite::Result<Vec<SubRow>> {
    tx.prepare("SELECT name, def, from_api, state, detail FROM event_subscriptions ORDER BY name")?
        .query_map([], |r| {
            Ok(SubRow {
                name: r.get(0)?,
                def: r.get(1)?,
                from_api: r.get(2)?,
                state: r.get(3)?,
                detail: r.get(4)?,
            })
        })?
        .collect()
}

/// Adds or replaces a subscription; a changed definition must validate again, and a
/// new one starts after the last event written (it gets no earlier ones).
pub fn upsert(tx: &Transaction<'_>, name: &str, def: &str, from_api: bool) -> rusqlite::Result<()> {
    let same: Option<bool> = tx
        .query_row(
            "SELECT def = ?2 FROM event_subscriptions WHERE name = ?1",
            params![name, def],
            |r| r.get(0),
        )
        .optional()?;
    match same {
        Some(true) => {}
        Some(false) => {
            tx.execute(
                "UPDATE event_subscriptions SET def = ?2, from_api = ?3, state = ?4, detail = NULL WHERE name = ?1",
                params![name, def, from_api, AWAITING],
            )?;
        }
        None => {
            let through = last_seq(tx)?;
            tx.execute(
                "INSERT INTO event_subscriptions (name, def, from_api, through_seq, state) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, def, from_api, through, AWAITING],
            )?;
        }
    }
    Ok(())
}

pub fn remove(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<bool> {
    tx.execute(
        "DELETE FROM event_retry WHERE subscription = ?1",
        params![name],
    )?;
    tx.execute(
        "DELETE FROM event_dead_letter WHERE subscription = ?1",
        params![name],
    )?;
    Ok(tx.execute(
        "DELETE FROM event_subscriptions WHERE name = ?1",
        params![name],
    )? > 0)
}

pub fn cursor(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<Option<i64>> {
    tx.query_row(
        "SELECT through_seq FROM event_subscriptions WHERE name = ?1",
        params![name],
        |r| r.get(0),
    )
    .optional()
}

pub fn set_state(
    tx: &Transaction<'_>,
    name: &str,
    state: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE event_subscriptions SET state = ?2, detail = ?3 WHERE name = ?1",
        params![name, state, detail],
    )?;
    Ok(())
}
