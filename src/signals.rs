//! How a long-running command is asked to stop: Ctrl-C, or SIGTERM on Unix (what
//! service managers and `kill` send). Shared by `serve` and `events listen`, which
//! both clean up before they exit.

/// Resolves once a stop is asked for.
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    // Without a Ctrl-C handler only closing the process stops it: wait forever
    // rather than stopping at once.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
