//! `CommunicationIdentifierModel` and its kind-specific members: who sent,
//! created or takes part in something.

use serde::{Deserialize, Serialize};

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
