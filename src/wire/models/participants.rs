//! Participants, read receipts, typing notifications, and the page envelope
//! every list operation shares.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::timestamp::serde_rfc3339;

use super::{CommunicationIdentifierModel, Metadata};
use crate::wire::error_body::CommunicationError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatParticipant {
    pub communication_identifier: CommunicationIdentifierModel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_rfc3339::option"
    )]
    pub share_history_time: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddChatParticipantsRequest {
    pub participants: Vec<ChatParticipant>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddChatParticipantsResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_participants: Option<Vec<CommunicationError>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendReadReceiptRequest {
    pub chat_message_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessageReadReceipt {
    pub sender_communication_identifier: CommunicationIdentifierModel,
    pub chat_message_id: String,
    #[serde(with = "serde_rfc3339")]
    pub read_on: OffsetDateTime,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTypingNotificationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
}

/// One page of any list operation: `{value, nextLink?}`; `nextLink` is absolute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omits_empty_optionals() {
        let p = ChatParticipant {
            communication_identifier: CommunicationIdentifierModel::user("8:acs:x_y"),
            display_name: None,
            share_history_time: None,
            metadata: None,
        };
        let s = serde_json::to_string(&p).expect("serialize");
        assert_eq!(
            s,
            r#"{"communicationIdentifier":{"rawId":"8:acs:x_y","communicationUser":{"id":"8:acs:x_y"}}}"#
        );
    }
}
