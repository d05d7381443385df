//! Request and response bodies of the Chat (2025-03-15) and Identity (2023-10-01+)
//! REST APIs, as serde types.
//!
//! Both directions tolerate what the service may add: unknown fields are ignored,
//! optional fields may be absent or null, message types and identifier kinds are
//! open-ended strings, and timestamps of either precision parse. On output, empty
//! optionals are omitted, as the service does (no `"metadata": null`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use super::timestamp::serde_rfc3339;

/// Free-form string metadata on threads, messages and participants.
pub type Metadata = BTreeMap<String, String>;

// ---------------------------------------------------------------- identifiers

/// `CommunicationIdentifierModel`: exactly one of the kind-specific members is set;
/// `rawId` is always present in service responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationIdentifierModel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_user: Option<CommunicationUserIdentifierModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<PhoneNumberIdentifierModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_teams_user: Option<MicrosoftTeamsUserIdentifierModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_teams_app: Option<MicrosoftTeamsAppIdentifierModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_extension_user: Option<serde_json::Value>,
}

impl CommunicationIdentifierModel {
    /// An ACS user (`8:acs:...`), in the shape the SDKs send: rawId + communicationUser.
    pub fn user(id: impl Into<String>) -> Self {
        let id = id.into();
        Self {
            raw_id: Some(id.clone()),
            communication_user: Some(CommunicationUserIdentifierModel { id }),
            ..Self::default()
        }
    }

    /// The identifier as one string: `rawId`, or else derived from the kind member.
    pub fn raw(&self) -> Option<&str> {
        if let Some(raw) = self.raw_id.as_deref() {
            return Some(raw);
        }
        if let Some(user) = &self.communication_user {
            return Some(&user.id);
        }
        None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationUserIdentifierModel {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumberIdentifierModel {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asserted_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftTeamsUserIdentifierModel {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftTeamsAppIdentifierModel {
    pub app_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
}

// ---------------------------------------------------------------- threads

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

// ---------------------------------------------------------------- messages

/// `ChatMessageType`, an open enum: the service may add types, so unknown ones are
/// kept by name rather than rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChatMessageType {
    Text,
    Html,
    TopicUpdated,
    ParticipantAdded,
    ParticipantRemoved,
    Other(String),
}

impl ChatMessageType {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text => "text",
            Self::Html => "html",
            Self::TopicUpdated => "topicUpdated",
            Self::ParticipantAdded => "participantAdded",
            Self::ParticipantRemoved => "participantRemoved",
            Self::Other(s) => s,
        }
    }

    /// Case-insensitive, as the service treats `Text` and `text` alike.
    pub fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "text" => Self::Text,
            "html" => Self::Html,
            "topicupdated" => Self::TopicUpdated,
            "participantadded" => Self::ParticipantAdded,
            "participantremoved" => Self::ParticipantRemoved,
            _ => Self::Other(s.to_owned()),
        }
    }

    /// System messages are generated by the service, never sent by a user.
    pub fn is_system(&self) -> bool {
        matches!(
            self,
            Self::TopicUpdated | Self::ParticipantAdded | Self::ParticipantRemoved
        )
    }
}

impl fmt::Display for ChatMessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChatMessageType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ChatMessageType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatAttachment {
    pub id: String,
    pub attachment_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessageContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<ChatParticipant>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<ChatAttachment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator_communication_identifier: Option<CommunicationIdentifierModel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ChatMessageType,
    pub sequence_id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ChatMessageContent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
    #[serde(with = "serde_rfc3339")]
    pub created_on: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_communication_identifier: Option<CommunicationIdentifierModel>,
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
    pub edited_on: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendChatMessageRequest {
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ChatMessageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendChatMessageResult {
    pub id: String,
}

/// Merge-patch body of UpdateChatMessage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateChatMessageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

// ---------------------------------------------------------------- participants, receipts, typing

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

// ---------------------------------------------------------------- identity

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateIdentityRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_token_with_scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationIdentity {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    pub token: String,
    /// Identity writes 7-digit fractions with `+00:00`; kept as sent, parsed on use.
    pub expires_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateIdentityResult {
    pub identity: CommunicationIdentity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessToken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueAccessTokenRequest {
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_minutes: Option<i64>,
}

use super::error_body::CommunicationError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_tolerates_unknown_type_and_fields() {
        let json = r#"{"id":"1","type":"somethingNew","sequenceId":"3","version":"1",
            "createdOn":"2020-06-06T05:55:41.6460000Z","extra":{"x":1},"content":{"message":"hi","future":true}}"#;
        let m: ChatMessage = serde_json::from_str(json).expect("tolerant parse");
        assert_eq!(m.kind, ChatMessageType::Other("somethingNew".into()));
        assert_eq!(m.content.and_then(|c| c.message).as_deref(), Some("hi"));
    }

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

    #[test]
    fn null_optionals_parse_as_absent() {
        let json =
            r#"{"id":"19:a@thread.v2","topic":"t","deletedOn":null,"lastMessageReceivedOn":null}"#;
        let t: ChatThreadItem = serde_json::from_str(json).expect("parse");
        assert!(t.deleted_on.is_none() && t.last_message_received_on.is_none());
    }
}
