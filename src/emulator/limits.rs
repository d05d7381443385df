//! Size limits, as the ACS "Service limits" page documents them for Chat.

use super::api_error::ApiError;
use crate::wire::Metadata;

/// Participants in one thread.
pub const MAX_PARTICIPANTS: i64 = 250;
/// Participants in one CreateChatThread or AddChatParticipants request.
pub const MAX_BATCH: usize = 200;
/// Message content, in bytes.
pub const MAX_CONTENT_BYTES: usize = 28 * 1024;
/// Thread and participant metadata, total bytes of keys and values.
pub const MAX_METADATA_BYTES: usize = 1024;
/// Message metadata has no documented cap; this keeps rows bounded.
pub const MAX_MESSAGE_METADATA_BYTES: usize = 8 * 1024;
/// Topic length in characters. The spec sets none; this is generous.
pub const MAX_TOPIC_CHARS: usize = 1024;
/// Display names in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;
/// Any request body; more is a 413.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// How much of an over-limit body is read and dropped so that the client can finish
/// sending and read the 413: pasting a few megabytes is the usual way to hit the limit.
pub const MAX_DRAIN_BYTES: usize = 16 * MAX_BODY_BYTES;

pub fn metadata_bytes(m: &Metadata) -> usize {
    m.iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// 400 when `m` is over the 1 KB metadata cap.
pub fn check_metadata(what: &str, m: &Metadata) -> Result<(), ApiError> {
    if metadata_bytes(m) > MAX_METADATA_BYTES {
        return Err(ApiError::bad_request(format!(
            "The {what} exceeds the maximum size of {MAX_METADATA_BYTES} bytes."
        )));
    }
    Ok(())
}

pub fn check_topic(topic: &str) -> Result<(), ApiError> {
    if topic.trim().is_empty() {
        return Err(ApiError::bad_request("The topic must not be empty."));
    }
    if topic.chars().count() > MAX_TOPIC_CHARS {
        return Err(ApiError::bad_request(format!(
            "The topic is longer than {MAX_TOPIC_CHARS} characters."
        )));
    }
    Ok(())
}

pub fn check_display_name(name: Option<&str>) -> Result<(), ApiError> {
    if name.is_some_and(|n| n.chars().count() > MAX_DISPLAY_NAME_CHARS) {
        return Err(ApiError::bad_request(format!(
            "The display name is longer than {MAX_DISPLAY_NAME_CHARS} characters."
        )));
    }
    Ok(())
}

pub fn check_content(content: &str) -> Result<(), ApiError> {
    if content.len() > MAX_CONTENT_BYTES {
        return Err(ApiError::bad_request(format!(
            "The message content exceeds the maximum size of {MAX_CONTENT_BYTES} bytes."
        )));
    }
    Ok(())
}

pub fn check_message_metadata(m: &Metadata) -> Result<(), ApiError> {
    if metadata_bytes(m) > MAX_MESSAGE_METADATA_BYTES {
        return Err(ApiError::bad_request(format!(
            "The message metadata exceeds the maximum size of {MAX_MESSAGE_METADATA_BYTES} bytes."
        )));
    }
    Ok(())
}
