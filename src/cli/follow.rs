//! `message list --follow`: poll a thread and print each new or changed message as it
//! arrives, like `tail -f`, until Ctrl-C.
//!
//! Incremental like the interactive client's poller: `startTime` is the last
//! modification seen (whole seconds), so edits and deletions arrive too, and the
//! overlap a whole-second `startTime` brings back is dropped by (id, version). The
//! interval stays inside ACS's limit of 200 list calls per minute per user and thread
//! on remote endpoints; errors back off exponentially, honouring `Retry-After`.

use std::time::Duration;

use crate::acs::{ChatThreadClient, MessageCursor};
use crate::wire::ChatMessage;

use super::exit::CliError;

/// Polls until Ctrl-C, calling `print` with each new or changed message (oldest change
/// first); stops early when `print` returns false (stdout closed).
pub async fn follow(
    thread: &ChatThreadClient,
    mut cursor: MessageCursor,
    interval: Duration,
    mut print: impl FnMut(&ChatMessage) -> bool,
) -> Result<(), CliError> {
    let mut failures = 0u32;
    let mut wait = interval;
    // One signal future for the whole run: made anew each loop, a Ctrl-C arriving while
    // none was waiting (during a poll) was lost. It also cuts a poll in flight short.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            () = tokio::time::sleep(wait) => {}
        }
        let polled = tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            polled = cursor.poll(thread) => polled,
        };
        match polled {
            Ok(fresh) => {
                failures = 0;
                wait = interval;
                if !fresh.iter().all(&mut print) {
                    return Ok(());
                }
            }
            Err(e) if e.is_retryable() => {
                failures += 1;
                wait = e
                    .retry_after()
                    .unwrap_or_else(|| backoff(interval, failures));
                eprintln!("acs-chat: {e}; retrying in {} s", wait.as_secs().max(1));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn backoff(interval: Duration, failures: u32) -> Duration {
    (interval * 2u32.saturating_pow(failures.min(6))).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped() {
        let i = Duration::from_millis(250);
        assert_eq!(backoff(i, 1), Duration::from_millis(500));
        assert_eq!(backoff(i, 50), Duration::from_secs(16));
        assert!(backoff(Duration::from_secs(1), 50) <= Duration::from_secs(30));
    }
}
