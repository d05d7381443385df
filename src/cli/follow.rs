//! `message list --follow`: poll a thread and print each new or changed message as it
//! arrives, like `tail -f`, until Ctrl-C.
//!
//! Incremental like the interactive client's poller: `startTime` is the last
//! modification seen (whole seconds), so edits and deletions arrive too, and the
//! overlap a whole-second `startTime` brings back is dropped by (id, version). The
//! interval stays inside ACS's limit of 200 list calls per minute per user and thread
//! on remote endpoints; errors back off exponentially, honouring `Retry-After`.

use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::acs::realtime::{ChatEvent, Notifications, PushState, Update};
use crate::acs::{ChatThreadClient, MessageCursor};
use crate::wire::ChatMessage;

use super::exit::CliError;

/// With push live, a poll this often only catches what push might have missed.
const SAFETY_NET: Duration = Duration::from_secs(30);

/// Polls until Ctrl-C, calling `print` with each new or changed message (oldest change
/// first); stops early when `print` returns false (stdout closed).
///
/// With `push`, an event of the thread triggers a poll at once and a `Live` state a
/// catch-up poll, so the REST cursor stays the one source of what is printed (nothing
/// is missed or printed twice); while push is live, the poll interval is the safety
/// net, and when it goes down polling returns to `interval` with one line on stderr.
pub async fn follow(
    thread: &ChatThreadClient,
    mut cursor: MessageCursor,
    interval: Duration,
    mut push: Option<Notifications>,
    mut print: impl FnMut(&ChatMessage) -> bool,
) -> Result<(), CliError> {
    let mut failures = 0u32;
    let mut next_poll = Instant::now() + interval;
    let mut live = false;
    // The fallback line was printed for this outage.
    let mut told = false;
    // One signal future for the whole run: made anew each loop, a Ctrl-C arriving while
    // none was waiting (during a poll) was lost. It also cuts a poll in flight short.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let poll_now = tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            () = sleep_until(next_poll) => true,
            update = next_update(&mut push) => match update {
                Some(Update::State(PushState::Live)) => {
                    (live, told) = (true, false);
                    true
                }
                Some(Update::State(PushState::Connecting)) => false,
                Some(Update::State(down)) => {
                    if !told {
                        eprintln!("acs-chat: {down}; polling every {} ms", interval.as_millis());
                        told = true;
                    }
                    if live {
                        live = false;
                        next_poll = next_poll.min(Instant::now() + interval);
                    }
                    false
                }
                // Typing and receipts change no message: no list call for them
                // (list calls count against the service's per-minute limit).
                Some(Update::Event(e)) => {
                    e.thread_id() == thread.id()
                        && !matches!(e, ChatEvent::Typing(_) | ChatEvent::ReadReceipt(_))
                }
                None => {
                    push = None;
                    live = false;
                    false
                }
            },
        };
        if !poll_now {
            continue;
        }
        let polled = tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            polled = cursor.poll(thread) => polled,
        };
        match polled {
            Ok(fresh) => {
                failures = 0;
                // Live, polling is a safety net, never more often than asked for.
                next_poll = Instant::now()
                    + if live {
                        SAFETY_NET.max(interval)
                    } else {
                        interval
                    };
                if !fresh.iter().all(&mut print) {
                    return Ok(());
                }
            }
            Err(e) if e.is_retryable() => {
                failures += 1;
                let wait = e
                    .retry_after()
                    .unwrap_or_else(|| backoff(interval, failures));
                next_poll = Instant::now() + wait;
                eprintln!("acs-chat: {e}; retrying in {} s", wait.as_secs().max(1));
            }
            Err(e) => return Err(ended(thread.id(), e)),
        }
    }
}

/// Why following ended, when the service stops serving the thread: a follower runs
/// unattended, so the line says what changed (a 403 or 404 alone reads like a setup
/// problem). The exit status stays the one of the service's answer.
fn ended(thread_id: &str, e: crate::acs::Error) -> CliError {
    let what = match e.status() {
        Some(403) => format!("no longer a participant of thread {thread_id}"),
        Some(404) => format!("thread {thread_id} no longer exists"),
        _ => return e.into(),
    };
    CliError::During {
        what,
        source: Box::new(e.into()),
    }
}

/// The next push update, or never without push.
async fn next_update(push: &mut Option<Notifications>) -> Option<Update> {
    match push {
        Some(p) => p.next().await,
        None => std::future::pending().await,
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
