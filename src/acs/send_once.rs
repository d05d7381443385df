//! Sending a message at most once through failures whose outcome is unknown.
//!
//! A send that timed out, lost its connection or got a 5xx may have been stored: the
//! service has no idempotency key for messages, so a blind repeat can post it twice.
//! The rule, used by every sender of acs-chat (the CLI's `message send` and the
//! interactive client's outbox): after such a failure, look the message up by its
//! `clientMessageId` among the thread's recent messages, and send again only when the
//! look *succeeded* and did not find it. A look that fails never becomes a send.

use std::time::Duration;

use futures::StreamExt as _;
use time::OffsetDateTime;

use super::chat_thread::ChatThreadClient;
use super::error::Error;
use super::paging::ListOptions;
use crate::seed::message_meta;
use crate::wire::SendChatMessageRequest;

/// Slack for the clock of the service against ours when looking for a message sent
/// since a time we read.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(1);

/// The result of one [`attempt`].
#[derive(Debug)]
pub enum Step {
    /// The service has it, with this message id.
    Sent(String),
    /// Failed in a way that may pass (throttling, 5xx, timeout, no connection); the
    /// request may have arrived, so the next attempt looks first.
    Later(Error),
    /// The service refused the send: nothing was stored.
    Refused(Error),
    /// A request may have arrived and looking for it failed: sending again could
    /// double it. `Error` says why the look failed.
    LookFailed(Error),
}

/// One attempt at a send. When `attempted` (an earlier request may have reached the
/// service) the message is first looked for; it is sent only when it is not there.
/// `since` is when the message was made (it cannot have changed before that).
pub async fn attempt(
    thread: &ChatThreadClient,
    request: &SendChatMessageRequest,
    client_message_id: &str,
    since: OffsetDateTime,
    attempted: bool,
) -> Step {
    if attempted {
        match find_sent(thread, client_message_id, since).await {
            Ok(Some(id)) => return Step::Sent(id),
            Ok(None) => {}
            Err(e) => return Step::LookFailed(e),
        }
    }
    match thread.send_message(request).await {
        Ok(id) => Step::Sent(id),
        Err(e) if e.is_retryable() => Step::Later(e),
        Err(e) => Step::Refused(e),
    }
}

/// The id of the message with this client message id changed since `since` (less
/// [`CLOCK_SKEW`]), if the service has it.
pub async fn find_sent(
    thread: &ChatThreadClient,
    client_message_id: &str,
    since: OffsetDateTime,
) -> Result<Option<String>, Error> {
    let options = ListOptions {
        max_page_size: Some(200),
        start_time: Some(since.checked_sub(CLOCK_SKEW).unwrap_or(since)),
    };
    let mut stream = Box::pin(thread.list_messages(options));
    while let Some(m) = stream.next().await {
        let m = m?;
        if message_meta::client_message_id(&m) == Some(client_message_id) {
            return Ok(Some(m.id));
        }
    }
    Ok(None)
}

/// Why [`send_at_most_once`] gave up.
#[derive(Debug, thiserror::Error)]
pub enum SendFailure {
    /// The service refused it, or every attempt failed and the message is not in the
    /// thread: nothing was sent, trying again later is safe.
    #[error("{0}")]
    NotSent(Error),
    /// The message may or may not be in the thread: look for its client message id
    /// before sending it again.
    #[error(
        "outcome unknown: the message (clientMessageId {client_message_id}) may have been sent, \
         and looking for it failed: {error}; list the thread's messages before sending it again"
    )]
    Unknown {
        client_message_id: String,
        error: Error,
    },
}

impl SendFailure {
    /// The service's or the transport's error behind the failure.
    pub fn error(&self) -> &Error {
        match self {
            Self::NotSent(e) | Self::Unknown { error: e, .. } => e,
        }
    }
}

/// Sends with up to `attempts` attempts, following [`attempt`]'s rule, waiting between
/// them the service's `Retry-After` or an exponential backoff. A last attempt that
/// failed with an unknown outcome is looked for too. `on_retry` hears of each wait
/// (before the next attempt, or before the last look).
pub async fn send_at_most_once(
    thread: &ChatThreadClient,
    request: &SendChatMessageRequest,
    client_message_id: &str,
    since: OffsetDateTime,
    attempts: u32,
    mut on_retry: impl FnMut(&Error, Duration),
) -> Result<String, SendFailure> {
    let unknown = |error| SendFailure::Unknown {
        client_message_id: client_message_id.to_owned(),
        error,
    };
    let mut attempted = false;
    let mut made = 0;
    let last = loop {
        match attempt(thread, request, client_message_id, since, attempted).await {
            Step::Sent(id) => return Ok(id),
            Step::Refused(e) => return Err(SendFailure::NotSent(e)),
            Step::LookFailed(e) => return Err(unknown(e)),
            Step::Later(e) => {
                attempted = true;
                made += 1;
                // Wait before the next attempt, and before the last look too: a
                // request that timed out may still be on its way in.
                let wait = backoff(&e, made);
                on_retry(&e, wait);
                tokio::time::sleep(wait).await;
                if made >= attempts {
                    break e;
                }
            }
        }
    };
    match find_sent(thread, client_message_id, since).await {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(SendFailure::NotSent(last)),
        Err(look) => Err(unknown(look)),
    }
}

/// The wait before attempt `n` (1-based): the service's `Retry-After`, else 0.5 s
/// doubling, capped at 8 s.
fn backoff(e: &Error, n: u32) -> Duration {
    e.retry_after()
        .unwrap_or_else(|| Duration::from_millis(500).saturating_mul(1 << n.min(4)))
}
