//! The emulator's persistent state: SQLite (WAL) on one dedicated thread.
//!
//! Every operation is a closure run on that thread inside one transaction, so a
//! request is answered only after its write committed, and the async runtime never
//! blocks on disk. One connection serves reads and writes: SQLite serializes writers
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

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

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
        let handle = std::thread::Builder::new().name("emulator-store".into()).spawn(move || {
            while let Ok(Msg::Run(job)) = rx.recv() {
                job(&mut conn);
            }
            drop(conn);
        })?;
        Ok((Self { tx: tx.clone() }, StoreThread { tx, handle: Some(handle) }, secret))
    }

    /// Runs `f` in one transaction; commits when it returns `Ok`.
    pub async fn tx<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn: &mut Connection| {
            let result = (|| {
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let r = f(&tx)?;
                tx.commit()?;
                Ok(r)
            })();
            let _ = reply.send(result);
        });
        self.tx.send(Msg::Run(job)).map_err(|_| ApiError::unavailable())?;
        rx.await.map_err(|_| ApiError::unavailable())?
    }
}

/// The membership check alone (typing notifications store nothing else).
pub fn require_member(tx: &Transaction<'_>, thread: &str, caller: &str) -> Result<(), ApiError> {
    rows::require_member(tx, thread, caller).map(|_| ())
}
