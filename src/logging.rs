//! Logging: the interactive client and the scripting commands log to a file in the
//! state dir (never to the terminal they draw on); `serve` logs to stderr, or with
//! `--log-file` (as the client starts the background emulator) to a file. The level
//! comes from `ACS_CHAT_LOG` (tracing's env-filter syntax), `info` by default.
//! Nothing logged ever contains an access key or a token.
//!
//! Log files are capped: past [`MAX_LOG_BYTES`] the file is renamed to `<file>.1`
//! (replacing the previous one) and a new one started, so a log never takes more than
//! twice the cap however long the process runs.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The size at which a log file is rotated.
pub const MAX_LOG_BYTES: u64 = 10 * 1024 * 1024;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("ACS_CHAT_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Lines waiting for the log writer thread.
const LOG_QUEUE_LINES: usize = 4096;

/// Logs to `<dir>/<file_name>`, capped; returns a guard that flushes on drop. When the
/// file cannot be opened, logging is off.
pub fn to_file(dir: &Path, file_name: &str) -> Option<WorkerGuard> {
    if std::fs::create_dir_all(dir).is_err() {
        return None;
    }
    to_path(&dir.join(file_name))
}

/// Logs to the file `path` (its directory must exist), capped; returns a guard that
/// flushes on drop, or `None` when the file cannot be opened.
pub fn to_path(path: &Path) -> Option<WorkerGuard> {
    let file = CappedFile::open(path.to_owned(), MAX_LOG_BYTES).ok()?;
    // The default queue holds 128,000 lines and is allocated (and touched) up front:
    // 4 MiB and a few milliseconds for every command. A few thousand lines is plenty
    // for a writer thread that only appends to a file; beyond it lines are dropped
    // rather than stall the caller.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(file);
    let ok = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .is_ok();
    ok.then_some(guard)
}

/// Logs to stderr (`serve` in a terminal).
pub fn to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// An append-only file that rotates to `<path>.1` when a write would take it past
/// `cap` bytes. tracing-appender rotates by time only, which bounds nothing for a busy
/// process; this is the one size rule we need. Written from the log writer thread only.
/// Created 0600: logs are private to their user like the rest of the data dir.
pub struct CappedFile {
    path: PathBuf,
    cap: u64,
    file: File,
    len: u64,
}

impl CappedFile {
    pub fn open(path: PathBuf, cap: u64) -> std::io::Result<Self> {
        let file = open_append(&path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            path,
            cap,
            file,
            len,
        })
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        std::fs::rename(&self.path, old)?;
        self.file = open_append(&self.path)?;
        self.len = 0;
        Ok(())
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    crate::paths::make_private(path)?;
    Ok(file)
}

impl Write for CappedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.len > 0 && self.len.saturating_add(buf.len() as u64) > self.cap {
            // A failed rotation (the file was removed, a read-only dir) keeps appending
            // where we are rather than losing the line.
            let _ = self.rotate();
        }
        let n = self.file.write(buf)?;
        self.len = self.len.saturating_add(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capped_file_rotates_once_over_the_cap_and_keeps_one_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.log");
        let old = dir.path().join("x.log.1");
        let line = [b'a'; 100];
        let mut f = CappedFile::open(path.clone(), 1000).expect("open");
        for _ in 0..10 {
            f.write_all(&line).expect("write");
        }
        assert_eq!(std::fs::metadata(&path).expect("log").len(), 1000);
        assert!(!old.exists());
        f.write_all(b"second\n").expect("write");
        assert_eq!(std::fs::read(&path).expect("log"), b"second\n");
        assert_eq!(std::fs::metadata(&old).expect("old").len(), 1000);
        // A reopened file counts what is already there.
        drop(f);
        let mut f = CappedFile::open(path.clone(), 10).expect("reopen");
        f.write_all(b"third\n").expect("write");
        assert_eq!(std::fs::read(&path).expect("log"), b"third\n");
        assert_eq!(std::fs::read(&old).expect("old"), b"second\n");
    }
}
