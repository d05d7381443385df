//! The emulator's persistent state: SQLite (WAL) on dedicated threads.
//!
//! Every write is a closure run on the writer thread inside a transaction (its own
//! savepoint in a batch of the requests that queued up meanwhile), so a request is
//! answered only after its write committed, and the async runtime never blocks on
//! disk. Reads (listings, lookups, the token check every request starts with) run on
//! a reader thread with its own connection: WAL lets it read the last commit while
//! the writer waits for the disk, so a read never queues behind a disk sync. An
//! in-memory database has one connection, so there reads go to the writer.

mod cached;
pub mod identities;
pub mod membership;
pub mod messages;
pub mod participants;
pub mod receipts;
mod rows;
mod schema;
pub mod threads;

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

use super::api_error::ApiError;
use cached::CachedStatements as _;

pub use rows::{at, now_ms};

/// Opening the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Open(#[from] rusqlite::Error),
    #[error("cannot start the store thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// What a write job leaves to do once its batch's commit is known: answer the request.
type Answer = Box<dyn FnOnce(bool) + Send>;
/// One request's write, run inside its batch's transaction.
type WriteJob = Box<dyn FnOnce(&Transaction<'_>) -> Answer + Send>;
/// One request's read, run inside its batch's read transaction; answers by itself.
type ReadJob = Box<dyn FnOnce(&Transaction<'_>) + Send>;

/// The most jobs run in one transaction. Jobs that queued up while a store thread was
/// busy run together: for writes, each in its own savepoint, answered after one commit
/// (one disk sync per batch instead of one per request, each request still all or
/// nothing, and no answer before its write is on disk); for reads, in one snapshot
/// taken after every one of them was asked.
const MAX_BATCH: usize = 128;

enum Msg<J> {
    Run(J),
    Close,
}

/// A handle to the store threads; cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: mpsc::Sender<Msg<WriteJob>>,
    /// `None` for an in-memory database: reads go to the writer.
    reader: Option<mpsc::Sender<Msg<ReadJob>>>,
}

/// Joins the store threads, so the database is closed (and its lock released) when
/// the emulator says it has stopped.
pub struct StoreThread {
    writer: mpsc::Sender<Msg<WriteJob>>,
    reader: Option<mpsc::Sender<Msg<ReadJob>>>,
    handles: Vec<JoinHandle<()>>,
}

/// Store threads whose owner went away close the database without waiting.
impl Drop for StoreThread {
    fn drop(&mut self) {
        self.ask_to_close();
    }
}

impl StoreThread {
    fn ask_to_close(&self) {
        if let Some(reader) = &self.reader {
            let _ = reader.send(Msg::Close);
        }
        let _ = self.writer.send(Msg::Close);
    }

    /// Asks the threads to close the database and waits for them.
    pub async fn close(mut self) {
        self.ask_to_close();
        // (Drop asks again; the threads have stopped listening by then.)
        let handles = std::mem::take(&mut self.handles);
        let _ = tokio::task::spawn_blocking(move || {
            for h in handles {
                let _ = h.join();
            }
        })
        .await;
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one;
    /// `durable` syncs every commit to the disk. Also returns the database's
    /// token-signing secret.
    pub fn open(
        path: Option<&Path>,
        durable: bool,
    ) -> Result<(Self, StoreThread, Vec<u8>), StoreError> {
        let mut conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.set_prepared_statement_cache_capacity(cached::CAPACITY);
        schema::prepare(&mut conn, durable)?;
        let secret = schema::jwt_secret(&conn)?;
        let reader_conn = match path {
            Some(p) => Some(schema::open_reader(p)?),
            None => None,
        };
        let (writer, rx) = mpsc::channel::<Msg<WriteJob>>();
        let mut handles = vec![spawn_worker("emulator-store", rx, move |batch| {
            run_writes(&mut conn, batch)
        })?];
        let reader = match reader_conn {
            Some(mut conn) => {
                let (reader, rx) = mpsc::channel::<Msg<ReadJob>>();
                handles.push(spawn_worker("emulator-reader", rx, move |batch| {
                    run_reads(&mut conn, batch)
                })?);
                Some(reader)
            }
            None => None,
        };
        Ok((
            Self {
                writer: writer.clone(),
                reader: reader.clone(),
            },
            StoreThread {
                writer,
                reader,
                handles,
            },
            secret,
        ))
    }

    /// Runs `f` in one transaction; commits when it returns `Ok`.
    pub async fn tx<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
    {
        self.tx_then(f, |_| {}).await
    }

    /// Like [`Store::tx`], and once the transaction has committed, `after` gets the
    /// result on the store thread, before any later write's (and may take parts of it): real-time events go out
    /// from there in commit order. `after` must not block (it only queues).
    pub async fn tx_then<R, F, A>(&self, f: F, after: A) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
        A: FnOnce(&mut R) + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job: WriteJob = Box::new(move |tx: &Transaction<'_>| {
            let result = in_savepoint(tx, f);
            Box::new(move |committed: bool| {
                // A refused request wrote nothing: its own error stands either way.
                let mut answer = if committed || result.is_err() {
                    result
                } else {
                    Err(ApiError::unavailable())
                };
                if committed && let Ok(r) = &mut answer {
                    after(r);
                }
                let _ = reply.send(answer);
            })
        });
        self.writer
            .send(Msg::Run(job))
            .map_err(|_| ApiError::unavailable())?;
        rx.await.map_err(|_| ApiError::unavailable())?
    }

    /// Runs `f`, which only reads, against the last commit. Every write answered
    /// before this call is visible to it.
    pub async fn read<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
    {
        let Some(reader) = &self.reader else {
            return self.tx(f).await;
        };
        let (reply, rx) = oneshot::channel();
        let job: ReadJob = Box::new(move |tx: &Transaction<'_>| {
            let _ = reply.send(f(tx));
        });
        reader
            .send(Msg::Run(job))
            .map_err(|_| ApiError::unavailable())?;
        rx.await.map_err(|_| ApiError::unavailable())?
    }
}

/// A thread that takes jobs off `rx` in batches (what queued up while it was busy,
/// up to `MAX_BATCH`) and hands each batch to `run`, until asked to close.
fn spawn_worker<J: Send + 'static>(
    name: &str,
    rx: mpsc::Receiver<Msg<J>>,
    mut run: impl FnMut(Vec<J>) + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let mut closing = false;
            while !closing {
                let Ok(Msg::Run(first)) = rx.recv() else {
                    break;
                };
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(Msg::Run(job)) => batch.push(job),
                        Ok(Msg::Close) => {
                            closing = true;
                            break;
                        }
                        Err(_) => break,
                    }
                }
                run(batch);
            }
            // `run` owns the connection; dropping the thread's state closes it.
            drop(run);
        })
}

/// Runs a batch in one transaction and answers every job after the commit. A batch
/// that cannot begin, and the jobs after one that ended the transaction (SQLite rolls
/// back by itself on some errors), are dropped: those requests answer "unavailable".
fn run_writes(conn: &mut Connection, batch: Vec<WriteJob>) {
    let Ok(tx) = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) else {
        return;
    };
    let mut answers = Vec::with_capacity(batch.len());
    for job in batch {
        if tx.is_autocommit() {
            break;
        }
        answers.push(job(&tx));
    }
    let committed = !tx.is_autocommit() && tx.commit().is_ok();
    for answer in answers {
        answer(committed);
    }
}

/// Runs a batch of reads in one read transaction (one snapshot). A batch that cannot
/// begin is dropped: those requests answer "unavailable".
fn run_reads(conn: &mut Connection, batch: Vec<ReadJob>) {
    let Ok(tx) = conn.transaction() else {
        return;
    };
    for job in batch {
        job(&tx);
    }
    // Nothing to keep: the reader's connection is query-only.
    let _ = tx.rollback();
}

/// `f` in a savepoint of the batch's transaction: kept when it returns `Ok`, undone
/// when it returns an error.
fn in_savepoint<R>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    tx.execute_cached("SAVEPOINT job", [])?;
    let result = f(tx);
    let closed = match &result {
        Ok(_) => tx.execute_cached("RELEASE job", []).map(drop),
        Err(_) => undo_savepoint(tx),
    };
    if let Err(e) = closed {
        // Never leave a half-done request to be committed with the batch.
        let _ = undo_savepoint(tx);
        return Err(e.into());
    }
    result
}

fn undo_savepoint(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_cached("ROLLBACK TO job", [])?;
    tx.execute_cached("RELEASE job", [])?;
    Ok(())
}

/// The membership check alone (typing notifications store nothing else).
pub fn require_member(tx: &Transaction<'_>, thread: &str, caller: &str) -> Result<(), ApiError> {
    rows::require_member(tx, thread, caller).map(|_| ())
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    fn job(
        key: &'static str,
        fail: bool,
        answers: std::sync::mpsc::Sender<(&'static str, bool, bool)>,
    ) -> WriteJob {
        Box::new(move |tx: &Transaction<'_>| {
            let result = in_savepoint(tx, |tx| {
                tx.execute("INSERT INTO meta (key, value) VALUES (?1, x'00')", [key])?;
                if fail {
                    Err(ApiError::unavailable())
                } else {
                    Ok(())
                }
            });
            Box::new(move |committed: bool| {
                let _ = answers.send((key, result.is_ok(), committed));
            })
        })
    }

    #[test]
    fn a_batch_keeps_the_requests_that_succeeded_and_undoes_the_one_that_failed() {
        let mut conn = Connection::open_in_memory().expect("db");
        schema::prepare(&mut conn, false).expect("schema");
        let (tx, rx) = std::sync::mpsc::channel();
        run_writes(
            &mut conn,
            vec![
                job("a", false, tx.clone()),
                job("b", true, tx.clone()),
                job("c", false, tx),
            ],
        );
        let answers: Vec<_> = rx.iter().collect();
        assert_eq!(
            answers,
            vec![("a", true, true), ("b", false, true), ("c", true, true)]
        );
        let keys: Vec<String> = conn
            .prepare("SELECT key FROM meta WHERE key IN ('a', 'b', 'c') ORDER BY key")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(keys, vec!["a", "c"]);
    }

    #[test]
    fn durable_syncs_every_commit_and_the_default_syncs_at_checkpoints() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sync_of = |durable: bool| {
            let mut conn = Connection::open(dir.path().join("emulator.db")).expect("db");
            schema::prepare(&mut conn, durable).expect("schema");
            conn.pragma_query_value(None, "synchronous", |r| r.get::<_, i64>(0))
                .expect("pragma")
        };
        // SQLite's numbering: 1 = NORMAL, 2 = FULL.
        assert_eq!(sync_of(false), 1);
        assert_eq!(sync_of(true), 2);
    }

    #[test]
    fn the_reader_connection_sees_commits_and_cannot_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("emulator.db");
        let mut writer = Connection::open(&path).expect("db");
        schema::prepare(&mut writer, false).expect("schema");
        let reader = schema::open_reader(&path).expect("reader");
        writer
            .execute("INSERT INTO meta (key, value) VALUES ('seen', x'01')", [])
            .expect("write");
        let seen: i64 = reader
            .query_row("SELECT COUNT(*) FROM meta WHERE key = 'seen'", [], |r| {
                r.get(0)
            })
            .expect("read");
        assert_eq!(seen, 1);
        let refused = reader.execute("INSERT INTO meta (key, value) VALUES ('no', x'00')", []);
        assert!(refused.is_err(), "the reader wrote");
    }
}
