//! Thread bodies: properties, list items, create and update requests.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::timestamp::serde_rfc3339;

use super::{ChatParticipant, CommunicationIdentifierModel, Metadata};
use crate::wire::error_body::CommunicationError;

/// `ChatRetentionPolicy`: `{"kind":"threadCreationDate","deleteThreadAfterDays":N}` or
/// `{"kind":"none"}`; unknown kinds are kept as their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionPolicy {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_thread_after_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatThreadProperties {
    pub id: String,
    pub topic: String,
    #[serde(with = "serde_rfc3339")]
    pub created_on: OffsetDateTime,
    pub created_by_communication_identifier: CommunicationIdentifierModel,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_rfc3339::option"
    )]
    pub deleted_on: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<RetentionPolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatThreadItem {
    pub id: String,
    pub topic: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_rfc3339::option"
    )]
    pub deleted_on: Option<OffsetDateTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_rfc3339::option"
    )]
    pub last_message_received_on: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateChatThreadRequest {
    pub topic: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<ChatParticipant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<RetentionPolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateChatThreadResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_thread: Option<ChatThreadProperties>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_participants: Option<Vec<CommunicationError>>,
}

/// Merge-patch body of UpdateChatThreadProperties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateChatThreadRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<RetentionPolicy>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_optionals_parse_as_absent() {
        let json =
            r#"{"id":"19:a@thread.v2","topic":"t","deletedOn":null,"lastMessageReceivedOn":null}"#;
        let t: ChatThreadItem = serde_json::from_str(json).expect("parse");
        assert!(t.deleted_on.is_none() && t.last_message_received_on.is_none());
    }
}
