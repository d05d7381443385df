//! The database schema. Times are epoch milliseconds (INTEGER); JSON columns hold
//! metadata maps and system-message participant lists.
//!
//! Paging that never skips nor repeats while a thread changes rests on two history
//! tables: `message_seq` keeps every (version, sequence id) ever given to a message
//! (an edit or delete gives new ones and marks the old row `superseded_by` the new
//! version), and `thread_activity` keeps every activity time of a thread (the row
//! current at a given moment is the latest one at or before it). A listing fixes a
//! high-water mark on its first page and reads, on every page, the rows that were
//! current at that mark: each item exactly once, in its current state.
//!
//! Within a thread, versions and sequence ids are given together and both only grow,
//! so ordering by either is the same: `message_seq` is keyed by version alone, which
//! serves both the newest-first order and the `startTime` (last modified) filter, with
//! one B-tree to write per send instead of two.

use rand::RngExt as _;
use rusqlite::{Connection, OptionalExtension as _, params};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
    id TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    deleted_ms INTEGER,
    revoked_before_ms INTEGER NOT NULL DEFAULT 0,
    last_token_ms INTEGER
);
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    deleted_ms INTEGER,
    metadata TEXT,
    retention TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_version INTEGER NOT NULL DEFAULT 0,
    activity_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS thread_activity (
    thread_id TEXT NOT NULL,
    activity_ms INTEGER NOT NULL,
    PRIMARY KEY (thread_id, activity_ms)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS thread_activity_by_time ON thread_activity (activity_ms);
CREATE TABLE IF NOT EXISTS participants (
    thread_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    display_name TEXT,
    share_history_ms INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    active INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX IF NOT EXISTS participants_by_user ON participants (user_id);
CREATE INDEX IF NOT EXISTS participants_by_ord ON participants (thread_id, active, ord);
CREATE TABLE IF NOT EXISTS messages (
    thread_id TEXT NOT NULL,
    id INTEGER NOT NULL,
    type TEXT NOT NULL,
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    sender TEXT,
    sender_display_name TEXT,
    content TEXT,
    topic TEXT,
    participants TEXT,
    initiator TEXT,
    metadata TEXT,
    edited_ms INTEGER,
    deleted_ms INTEGER,
    PRIMARY KEY (thread_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS message_seq (
    thread_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    superseded_by INTEGER,
    PRIMARY KEY (thread_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS read_receipts (
    thread_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    read_ms INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE TABLE IF NOT EXISTS repeatability (
    creator TEXT NOT NULL,
    request_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    response TEXT NOT NULL,
    PRIMARY KEY (creator, request_id)
);
"#;

/// Log pages between checkpoints (16 MiB of 4 KiB pages): 64 senders went from
/// ~8,400 to ~10,300 sends/s over SQLite's default 1,000.
const CHECKPOINT_PAGES: i64 = 4000;

/// The layout this program writes, kept in `PRAGMA user_version`. 0: a database from
/// before versions were kept, with `message_seq` keyed by sequence id.
const LAYOUT_VERSION: i64 = 1;

/// Sets the pragmas, creates the tables and the token-signing secret.
///
/// Under WAL, every commit is written to the log before the request is answered, so
/// an acknowledged write survives the emulator being killed at any moment. `durable`
/// also syncs the log to the disk on every commit (survives a power loss or an OS
/// crash); without it the log is synced at checkpoints. A local emulator's data is
/// rarely worth a disk sync per request: that sync was ~40 % of a send's latency.
pub fn prepare(conn: &mut Connection, durable: bool) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let sync = if durable { "FULL" } else { "NORMAL" };
    conn.pragma_update(None, "synchronous", sync)?;
    // The writer copies the log into the database (a checkpoint) every
    // CHECKPOINT_PAGES log pages rather than SQLite's 1,000: each copy writes a page
    // once however often it changed since the last, and the hot pages (the tails of
    // busy threads) change on every send.
    conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let layout: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if layout > LAYOUT_VERSION {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!(
                "the database was written by a newer acs-chat (layout {layout}, this one knows {LAYOUT_VERSION}); use that version or another data directory"
            )),
        ));
    }
    let tx = conn.transaction()?;
    if layout == 0 && table_exists(&tx, "message_seq")? {
        tx.execute_batch(MESSAGE_SEQ_BY_VERSION)?;
    }
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(crate::emulator::eventgrid::outbox::SCHEMA)?;
    tx.pragma_update(None, "user_version", LAYOUT_VERSION)?;
    tx.commit()?;
    let has_secret: Option<i64> = conn
        .query_row("SELECT 1 FROM meta WHERE key = 'jwt_secret'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if has_secret.is_none() {
        let mut secret = [0u8; 32];
        rand::rng().fill(&mut secret[..]);
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('jwt_secret', ?1)",
            params![secret.to_vec()],
        )?;
    }
    Ok(())
}

/// Layout 0 -> 1: `message_seq` keyed by (thread, version) instead of (thread,
/// sequence id), `superseded_by` naming the superseding version. The table is spelt
/// out here rather than taken from `SCHEMA` on purpose: this step must keep making
/// layout 1 when a later layout changes `SCHEMA`.
const MESSAGE_SEQ_BY_VERSION: &str = r#"
CREATE TABLE message_seq_v1 (
    thread_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    superseded_by INTEGER,
    PRIMARY KEY (thread_id, version)
) WITHOUT ROWID;
INSERT INTO message_seq_v1 (thread_id, version, seq, message_id, superseded_by)
    SELECT s.thread_id, s.version, s.seq, s.message_id,
           (SELECT n.version FROM message_seq n WHERE n.thread_id = s.thread_id AND n.seq = s.superseded_by)
    FROM message_seq s;
DROP TABLE message_seq;
ALTER TABLE message_seq_v1 RENAME TO message_seq;
"#;

fn table_exists(tx: &rusqlite::Transaction<'_>, name: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )
}

/// The token-signing secret of this database.
pub fn jwt_secret(conn: &Connection) -> rusqlite::Result<Vec<u8>> {
    conn.query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| {
        r.get(0)
    })
}

/// A second connection to the database at `path`, for reads only: it cannot write
/// (`query_only`), and under WAL it reads the last commit without waiting for the
/// writer. Opened after `prepare`, so the schema and WAL mode are in place.
pub fn open_reader(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.set_prepared_statement_cache_capacity(super::cached::CAPACITY);
    conn.pragma_update(None, "query_only", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `message_seq` as layout 0 wrote it: keyed by sequence id, `superseded_by`
    /// naming the superseding sequence id.
    const LAYOUT_0_MESSAGE_SEQ: &str = r#"
        CREATE TABLE message_seq (
            thread_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            superseded_by INTEGER,
            PRIMARY KEY (thread_id, seq)
        );
        CREATE INDEX message_seq_by_version ON message_seq (thread_id, version);
        -- Message 100 sent (seq 1), message 200 sent (seq 2), message 100 edited (seq 3).
        INSERT INTO message_seq VALUES ('t', 1, 100, 100, 3), ('t', 2, 200, 200, NULL),
                                       ('t', 3, 100, 300, NULL);
    "#;

    #[test]
    fn a_layout_0_database_is_rekeyed_by_version() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(LAYOUT_0_MESSAGE_SEQ).expect("layout 0");
        prepare(&mut conn, false).expect("prepare");
        let rows: Vec<(i64, i64, i64, Option<i64>)> = conn
            .prepare(
                "SELECT version, seq, message_id, superseded_by FROM message_seq ORDER BY version",
            )
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(
            rows,
            vec![
                (100, 1, 100, Some(300)),
                (200, 2, 200, None),
                (300, 3, 100, None)
            ]
        );
        let layout: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("user_version");
        assert_eq!(layout, LAYOUT_VERSION);
        // Preparing again leaves it as it is.
        prepare(&mut conn, false).expect("prepare again");
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM message_seq", [], |r| r.get(0))
            .expect("count");
        assert_eq!(count, 3);
    }

    #[test]
    fn a_database_from_a_newer_program_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "user_version", LAYOUT_VERSION + 1)
            .expect("user_version");
        let refused = prepare(&mut conn, false).expect_err("a newer layout");
        assert!(refused.to_string().contains("newer acs-chat"), "{refused}");
        let tables: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| r.get(0))
            .expect("count");
        assert_eq!(tables, 0);
    }
}
