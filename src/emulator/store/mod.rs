//! The emulator's persistent state: SQLite (WAL) on one dedicated thread.
//!
//! Every operation is a closure run on that thread inside a transaction (its own
//! savepoint in a batch of the requests that queued up meanwhile), so a request is
//! answered only after its write committed, and the async runtime never blocks on
//! disk. One connection serves reads and writes: SQLite serializes writers
//! anyway, and the emulator's load is one person or one test suite.

pub mod identities;
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

pub use rows::now_ms;

/// Opening the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Open(#[from] rusqlite::Error),
    #[error("cannot start the store thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// What a job leaves to do once its batch's commit is known: answer the request.
type Answer = Box<dyn FnOnce(bool) + Send>;
/// One request's work, run inside its batch's transaction.
type Job = Box<dyn FnOnce(&Transaction<'_>) -> Answer + Send>;

/// The most jobs run in one transaction. Jobs that queued up while the store thread was
/// busy run together, each in its own savepoint, and are answered after one commit:
/// one disk sync per batch instead of one per request, each request still all or
/// nothing, and no answer before its write is on disk.
const MAX_BATCH: usize = 128;

enum Msg {
    Run(Job),
    Close,
}

/// A handle to the store thread; cheap to clone.
#[derive(Clone)]
pub struct Store {
    tx: mpsc::Sender<Msg>,
}

/// Joins the store thread, so the database is closed (and its lock released) when
/// the emulator says it has stopped.
pub struct StoreThread {
    tx: mpsc::Sender<Msg>,
    handle: Option<JoinHandle<()>>,
}

/// A store thread whose owner went away closes the database without waiting.
impl Drop for StoreThread {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Close);
    }
}

impl StoreThread {
    /// Asks the thread to close the database and waits for it.
    pub async fn close(mut self) {
        let _ = self.tx.send(Msg::Close);
        // (Drop sends Close again; the thread has stopped listening by then.)
        if let Some(h) = self.handle.take() {
            let _ = tokio::task::spawn_blocking(move || h.join()).await;
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one.
    /// Also returns the database's token-signing secret.
    pub fn open(path: Option<&Path>) -> Result<(Self, StoreThread, Vec<u8>), StoreError> {
        let mut conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        schema::prepare(&mut conn)?;
        let secret = schema::jwt_secret(&conn)?;
        let (tx, rx) = mpsc::channel::<Msg>();
        let handle = std::thread::Builder::new()
            .name("emulator-store".into())
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
                    run_batch(&mut conn, batch);
                }
                drop(conn);
            })?;
        Ok((
            Self { tx: tx.clone() },
            StoreThread {
                tx,
                handle: Some(handle),
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
        let (reply, rx) = oneshot::channel();
        let job: Job = Box::new(move |tx: &Transaction<'_>| {
            let result = in_savepoint(tx, f);
            Box::new(move |committed: bool| {
                // A refused request wrote nothing: its own error stands either way.
                let answer = if committed || result.is_err() {
                    result
                } else {
                    Err(ApiError::unavailable())
                };
                let _ = reply.send(answer);
            })
        });
        self.tx
            .send(Msg::Run(job))
            .map_err(|_| ApiError::unavailable())?;
        rx.await.map_err(|_| ApiError::unavailable())?
    }
}

/// Runs a batch in one transaction and answers every job after the commit. A batch
/// that cannot begin, and the jobs after one that ended the transaction (SQLite rolls
/// back by itself on some errors), are dropped: those requests answer "unavailable".
fn run_batch(conn: &mut Connection, batch: Vec<Job>) {
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

/// `f` in a savepoint of the batch's transaction: kept when it returns `Ok`, undone
/// when it returns an error.
fn in_savepoint<R>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    tx.execute_batch("SAVEPOINT job")?;
    let result = f(tx);
    let closed = match &result {
        Ok(_) => tx.execute_batch("RELEASE job"),
        Err(_) => tx.execute_batch("ROLLBACK TO job; RELEASE job"),
    };
    if let Err(e) = closed {
        // Never leave a half-done request to be committed with the batch.
        let _ = tx.execute_batch("ROLLBACK TO job; RELEASE job");
        return Err(e.into());
    }
    result
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
    ) -> Job {
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
        schema::prepare(&mut conn).expect("schema");
        let (tx, rx) = std::sync::mpsc::channel();
        run_batch(
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
}
