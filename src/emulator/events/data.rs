//! The `data` members of the chat events, shaped as the official SDKs' models
//! (`@azure/eventgrid`'s `AcsChat*EventData` mappers) define them: the same names,
//! every member the model marks required always present, `version` a number.
//!
//! A type's data is its family's fixed members ([`MessageFields`] or [`ThreadFields`])
//! plus the [`Extras`] it carries, then [`with_base`]'s `transactionId`, `threadId`
//! and, on per-user events, the recipient: the types of a family differ only in which
//! optional members they carry.

use serde::Serialize;
use serde_json::Value;

use crate::wire::{CommunicationIdentifierModel, Metadata};

/// `AcsChatThreadParticipant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub participant_communication_identifier: CommunicationIdentifierModel,
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// The members of `AcsChatMessageEventBase` / `...InThreadBase`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageFields {
    pub message_id: String,
    pub sender_communication_identifier: CommunicationIdentifierModel,
    pub sender_display_name: String,
    pub compose_time: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: i64,
}

/// The members of `AcsChatThreadEventBase` / `...InThreadBase` (the membership events
/// carry them too: the per-user models require them, and the thread-level examples
/// show them).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadFields {
    pub create_time: String,
    pub version: i64,
}

/// Every optional member a chat event type may add; each type sets its own.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extras {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_body: Option<String>,
    /// Present on received and edited messages (required on `ChatMessageReceived`) and
    /// on thread created/updated events, even when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_time: Option<String>,
    /// When a participant was added or removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_communication_identifier: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_by_communication_identifier: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_by_communication_identifier: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_by_communication_identifier: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by_communication_identifier: Option<CommunicationIdentifierModel>,
    /// `{"topic": ...}` on created and updated events (required there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<Participant>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_added: Option<Participant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_removed: Option<Participant>,
}

/// A family's fixed members and the type's extras, as one JSON object.
pub fn object<F: Serialize>(fields: &F, extras: &Extras) -> Value {
    #[derive(Serialize)]
    struct Both<'a, F> {
        #[serde(flatten)]
        fields: &'a F,
        #[serde(flatten)]
        extras: &'a Extras,
    }
    // Strings, numbers and string maps only: serializing cannot fail.
    serde_json::to_value(Both { fields, extras }).unwrap_or(Value::Null)
}

/// `data` with the base members (`AcsChatEventBase` / `AcsChatEventInThreadBase`) of
/// one event: the recipient only on per-user events.
pub fn with_base(
    data: &Value,
    transaction_id: &str,
    thread_id: &str,
    recipient: Option<&str>,
) -> Value {
    let mut data = data.clone();
    if let Some(map) = data.as_object_mut() {
        map.insert("transactionId".to_owned(), Value::from(transaction_id));
        map.insert("threadId".to_owned(), Value::from(thread_id));
        if let Some(r) = recipient {
            let id = serde_json::to_value(CommunicationIdentifierModel::user(r));
            map.insert(
                "recipientCommunicationIdentifier".to_owned(),
                id.unwrap_or(Value::Null),
            );
        }
    }
    data
}
