//! Incremental polling of a thread's messages, as the REST API allows it: list with
//! `startTime` = the last modification seen. `startTime` has whole-second precision
//! on the wire, so each poll brings back the last second's messages again; the cursor
//! remembers what it delivered in that second and drops the overlap. Edits and
//! deletions get a new `version`, so they come back as news.
//!
//! Used by the interactive client's poller and by `message list --follow`.

use std::collections::HashMap;

use futures::StreamExt as _;
use time::OffsetDateTime;

use super::{ChatThreadClient, ListOptions, Result};
use crate::wire::ChatMessage;

/// What a poller has seen of one thread.
#[derive(Debug, Clone, Default)]
pub struct MessageCursor {
    /// Largest `version` (ms of last modification) seen.
    max_version: i64,
    /// Versions delivered, per message id, for messages in `max_version`'s second
    /// (older ones cannot be listed again, except as a newer version).
    delivered: HashMap<String, i64>,
}

impl MessageCursor {
    /// Records `m`; true when it is news: a message not delivered before, or a newer
    /// version of one.
    pub fn note(&mut self, m: &ChatMessage) -> bool {
        let version = version_ms(m);
        let news = self.delivered.get(&m.id).is_none_or(|&seen| version > seen);
        if version > self.max_version {
            let second = version.div_euclid(1000);
            self.delivered.retain(|_, v| v.div_euclid(1000) >= second);
            self.max_version = version;
        }
        if news && version.div_euclid(1000) >= self.max_version.div_euclid(1000) {
            self.delivered.insert(m.id.clone(), version);
        }
        news
    }

    /// The `startTime` of the next poll; `None` before anything was seen.
    pub fn start_time(&self) -> Option<OffsetDateTime> {
        (self.max_version > 0)
            .then(|| OffsetDateTime::from_unix_timestamp(self.max_version.div_euclid(1000)).ok())?
    }

    /// Lists what changed since the last poll (following every page) and returns the
    /// news, oldest change first.
    pub async fn poll(&mut self, thread: &ChatThreadClient) -> Result<Vec<ChatMessage>> {
        let options = ListOptions {
            max_page_size: Some(200),
            start_time: self.start_time(),
        };
        let mut stream = Box::pin(thread.list_messages(options));
        let mut fresh = Vec::new();
        while let Some(m) = stream.next().await {
            let m = m?;
            if self.note(&m) {
                fresh.push(m);
            }
        }
        fresh.sort_by_key(version_ms);
        Ok(fresh)
    }
}

/// The message's last modification in ms: its `version` (ms since the epoch, as the
/// service writes it), or its creation time when the version is not a number.
pub fn version_ms(m: &ChatMessage) -> i64 {
    m.version.parse::<i64>().unwrap_or_else(|_| {
        (m.created_on.unix_timestamp_nanos() / 1_000_000)
            .try_into()
            .unwrap_or(0)
    })
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
            created_on: OffsetDateTime::UNIX_EPOCH,
            sender_communication_identifier: None,
            deleted_on: None,
            edited_on: None,
            metadata: None,
        }
    }

    #[test]
    fn drops_the_overlap_of_whole_second_start_times() {
        let mut c = MessageCursor::default();
        assert!(c.start_time().is_none());
        assert!(c.note(&msg("1", 1_000_100)));
        assert!(c.note(&msg("2", 1_000_900)));
        assert_eq!(c.start_time().map(|t| t.unix_timestamp()), Some(1000));
        // The next poll starts at second 1000 and returns both again: not news.
        assert!(!c.note(&msg("1", 1_000_100)));
        assert!(!c.note(&msg("2", 1_000_900)));
        // An edit of message 1 is news, and so is a message in the same second.
        assert!(c.note(&msg("1", 1_002_000)));
        assert!(c.note(&msg("3", 1_002_001)));
        assert!(!c.note(&msg("3", 1_002_001)));
        assert_eq!(c.start_time().map(|t| t.unix_timestamp()), Some(1002));
    }

    #[test]
    fn memory_stays_bounded_to_the_last_second() {
        let mut c = MessageCursor::default();
        for i in 0..10_000 {
            c.note(&msg(&i.to_string(), 1_000_000 + i * 10));
        }
        assert!(c.delivered.len() <= 100, "{}", c.delivered.len());
    }

    #[test]
    fn an_older_message_first_seen_late_is_news() {
        let mut c = MessageCursor::default();
        assert!(c.note(&msg("new", 5_000_000)));
        assert!(c.note(&msg("old", 1_000_000)));
    }
}
