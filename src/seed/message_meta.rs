//! The seed's `sendMessage` fields that today's ACS API has no place for, carried in
//! message metadata by every part of acs-chat that sends (the interactive client's
//! outbox and `acs-chat message send`), so each recognises the other's messages.
//!
//! - `clientMessageId`: a random unsigned 64-bit number as a decimal string, used to
//!   dedupe (a send whose outcome is unknown is looked up by it before re-sending);
//! - `priority`: `Normal` or `High`.

use rand::RngExt as _;

use crate::wire::{ChatMessage, ChatMessageType, Metadata, SendChatMessageRequest};

/// Metadata key of the seed's client message id.
pub const CLIENT_MESSAGE_ID: &str = "clientMessageId";
/// Metadata key of the seed's priority.
pub const PRIORITY: &str = "priority";
/// The priorities the seed names.
pub const PRIORITIES: [&str; 2] = ["Normal", "High"];

/// A fresh client message id: random unsigned 64-bit, decimal.
pub fn new_client_message_id() -> String {
    rand::rng().random::<u64>().to_string()
}

/// The request body of a send: content, the sender's display name, the type, and the
/// seed's `clientMessageId` and `priority` in metadata.
pub fn send_request(
    content: &str,
    display_name: &str,
    kind: ChatMessageType,
    client_message_id: &str,
    priority: &str,
) -> SendChatMessageRequest {
    let mut metadata = Metadata::new();
    metadata.insert(CLIENT_MESSAGE_ID.to_owned(), client_message_id.to_owned());
    metadata.insert(PRIORITY.to_owned(), priority.to_owned());
    SendChatMessageRequest {
        content: content.to_owned(),
        sender_display_name: Some(display_name.to_owned()),
        kind: Some(kind),
        metadata: Some(metadata),
    }
}

/// A message's client message id, when it has one.
pub fn client_message_id(m: &ChatMessage) -> Option<&str> {
    m.metadata
        .as_ref()?
        .get(CLIENT_MESSAGE_ID)
        .map(String::as_str)
}

/// A message's priority, when it has one.
pub fn priority(m: &ChatMessage) -> Option<&str> {
    m.metadata.as_ref()?.get(PRIORITY).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_message_ids_are_u64_decimal() {
        let id = new_client_message_id();
        assert!(id.parse::<u64>().is_ok(), "{id}");
    }

    #[test]
    fn request_carries_the_seed_fields() {
        let r = send_request("Hello Bob", "Alice", ChatMessageType::Text, "42", "High");
        let json = serde_json::to_value(&r).expect("serialize");
        assert_eq!(json["metadata"]["clientMessageId"], "42");
        assert_eq!(json["metadata"]["priority"], "High");
        assert_eq!(json["senderDisplayName"], "Alice");
    }
}
