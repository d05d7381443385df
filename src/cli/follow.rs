//! `message list --follow`: poll a thread and print each new or changed message as it
//! arrives, like `tail -f`, until Ctrl-C.
//!
//! Incremental like the interactive client's poller: `startTime` is the last
//! modification seen (whole seconds), so edits and deletions arrive too, and the
//! overlap a whole-second `startTime` brings back is dropped by (id, version). The
//! interval stays inside ACS's limit of 200 list calls per minute per user and thread
//! on remote endpoints; errors back off exponentially, honouring `Retry-After`.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt as _;
use time::OffsetDateTime;

use crate::acs::{ChatThreadClient, ListOptions};
use crate::wire::ChatMessage;

use super::exit::CliError;

/// What has been printed already.
#[derive(Debug, Default)]
pub struct Cursor {
    /// Largest version (ms of last modification) seen.
    max_version: i64,
    /// Version printed per message id.
    printed: HashMap<String, String>,
}

impl Cursor {
    /// Records `m`; true when it is new or changed since it was last recorded.
    pub fn note(&mut self, m: &ChatMessage) -> bool {
        let version = version_ms(m);
        self.max_version = self.max_version.max(version);
        self.printed.insert(m.id.clone(), m.version.clone()).as_deref() != Some(m.version.as_str())
    }

    /// The `startTime` of the next poll.
    pub fn start_time(&self) -> Option<OffsetDateTime> {
        (self.max_version > 0).then(|| OffsetDateTime::from_unix_timestamp(self.max_version / 1000).ok()).flatten()
    }
}

/// The message's last modification in ms: its `version` (ms since the epoch, as the
/// service writes it), or its creation time when the version is not a number.
fn version_ms(m: &ChatMessage) -> i64 {
    m.version
        .parse::<i64>()
        .unwrap_or_else(|_| (m.created_on.unix_timestamp_nanos() / 1_000_000).try_into().unwrap_or(0))
}

/// Polls until Ctrl-C, calling `print` with each new or changed message (oldest change
/// first); stops early when `print` returns false (stdout closed).
pub async fn follow(
    thread: &ChatThreadClient,
    mut cursor: Cursor,
    interval: Duration,
    mut print: impl FnMut(&ChatMessage) -> bool,
) -> Result<(), CliError> {
    let mut failures = 0u32;
    let mut wait = interval;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            () = tokio::time::sleep(wait) => {}
        }
        match poll(thread, &mut cursor).await {
            Ok(fresh) => {
                failures = 0;
                wait = interval;
                if !fresh.iter().all(&mut print) {
                    return Ok(());
                }
            }
            Err(e) if e.is_retryable() => {
                failures += 1;
                wait = e.retry_after().unwrap_or_else(|| backoff(interval, failures));
                eprintln!("acs-chat: {e}; retrying in {} s", wait.as_secs().max(1));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// One poll: the messages changed since the cursor, oldest change first.
async fn poll(thread: &ChatThreadClient, cursor: &mut Cursor) -> crate::acs::Result<Vec<ChatMessage>> {
    let options = ListOptions { max_page_size: Some(200), start_time: cursor.start_time() };
    let mut stream = Box::pin(thread.list_messages(options));
    let mut fresh = Vec::new();
    while let Some(m) = stream.next().await {
        let m = m?;
        if cursor.note(&m) {
            fresh.push(m);
        }
    }
    fresh.sort_by_key(version_ms);
    Ok(fresh)
}

fn backoff(interval: Duration, failures: u32) -> Duration {
    (interval * 2u32.saturating_pow(failures.min(6))).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChatMessageType;

    fn msg(id: &str, version: i64) -> ChatMessage {
        ChatMessage {
            id: id.into(),
            kind: ChatMessageType::Text,
            sequence_id: "1".into(),
            version: version.to_string(),
            content: None,
            sender_display_name: None,
            created_on: OffsetDateTime::from_unix_timestamp(version / 1000).expect("time"),
            sender_communication_identifier: None,
            deleted_on: None,
            edited_on: None,
            metadata: None,
        }
    }

    #[test]
    fn overlap_is_dropped_and_edits_are_news() {
        let mut c = Cursor::default();
        assert!(c.note(&msg("1", 1_000_100)));
        assert!(!c.note(&msg("1", 1_000_100)));
        assert_eq!(c.start_time().map(|t| t.unix_timestamp()), Some(1000));
        assert!(c.note(&msg("1", 1_002_000)));
        assert_eq!(c.start_time().map(|t| t.unix_timestamp()), Some(1002));
    }

    #[test]
    fn empty_cursor_lists_everything() {
        assert!(Cursor::default().start_time().is_none());
    }

    #[test]
    fn backoff_is_capped() {
        let i = Duration::from_millis(250);
        assert_eq!(backoff(i, 1), Duration::from_millis(500));
        assert_eq!(backoff(i, 50), Duration::from_secs(16));
        assert!(backoff(Duration::from_secs(1), 50) <= Duration::from_secs(30));
    }
}
