//! The database schema. Times are epoch milliseconds (INTEGER); JSON columns hold
//! metadata maps and system-message participant lists.
//!
//! Paging that never skips nor repeats while a thread changes rests on two history
//! tables: `message_seq` keeps every sequence id ever given to a message (an edit or
//! delete gives a new one and marks the old row `superseded_by`), and
//! `thread_activity` keeps every activity time of a thread (the row current at a
//! given moment is the latest one at or before it). A listing fixes a high-water mark
//! on its first page and reads, on every page, the rows that were current at that
//! mark: each item exactly once, in its current state.

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
    seq INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    superseded_by INTEGER,
    PRIMARY KEY (thread_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_seq_by_version ON message_seq (thread_id, version);
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
/// ~8,400 to ~11,200 sends/s over SQLite's default 1,000.
const CHECKPOINT_PAGES: i64 = 4000;

/// Sets the pragmas, creates the tables and the token-signing secret.
///
/// Under WAL, every commit is written to the log before the request is answered, so
/// an acknowledged write survives the emulator being killed at any moment. `durable`
/// also syncs the log to the disk on every commit (survives a power loss or an OS
/// crash); without it the log is synced at checkpoints. A local emulator's data is
/// rarely worth a disk sync per request: that sync was about half of a send's latency.
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
    conn.execute_batch(SCHEMA)?;
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
