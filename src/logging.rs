//! Logging: the interactive client and the scripting commands log to a file in the
//! state dir (never to the terminal they draw on); `serve` logs to stderr. The level
//! comes from `ACS_CHAT_LOG` (tracing's env-filter syntax), `info` by default.
//! Nothing logged ever contains an access key or a token.

use std::path::Path;

use tracing_subscriber::EnvFilter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("ACS_CHAT_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Lines waiting for the log writer thread.
const LOG_QUEUE_LINES: usize = 4096;

/// Logs to `<dir>/<file_name>`; returns a guard that flushes on drop. When the
/// directory cannot be created, logging is off (and the reason goes to stderr only if
/// `announce` is set, i.e. before the TUI owns the terminal).
pub fn to_file(dir: &Path, file_name: &str) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    if std::fs::create_dir_all(dir).is_err() {
        return None;
    }
    let appender = tracing_appender::rolling::never(dir, file_name);
    // The default queue holds 128,000 lines and is allocated (and touched) up front:
    // 4 MiB and a few milliseconds for every command. A few thousand lines is plenty
    // for a writer thread that only appends to a file; beyond it lines are dropped
    // rather than stall the caller.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(appender);
    let ok = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .is_ok();
    ok.then_some(guard)
}

/// Logs to stderr (the emulator).
pub fn to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .try_init();
}
