//! Error envelopes. The live Chat service writes
//! `{"CommunicationError":{"Code","Message","Details":[]}}` (PascalCase, CRLF, 2-space
//! indent); the spec and Identity write `{"error":{"code","message",...}}`; older
//! service generations used an `Error` wrapper or none; 401s often have no body at
//! all. [`ErrorBody::parse`] reads every one of them.

use serde::{Deserialize, Serialize};

/// One `CommunicationError` (spec casing). Also the item type of `invalidParticipants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationError {
    #[serde(default, alias = "Code")]
    pub code: String,
    #[serde(default, alias = "Message")]
    pub message: String,
    #[serde(default, alias = "Target", skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, alias = "Details", skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<CommunicationError>>,
    #[serde(default, alias = "InnerError", skip_serializing_if = "Option::is_none")]
    pub innererror: Option<Box<CommunicationError>>,
}

/// The parsed code and message of an error response, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
}

impl ErrorBody {
    /// Reads any of the known envelopes; an empty or unrecognised body gives `None`s.
    pub fn parse(body: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Self::default();
        };
        let inner = ["CommunicationError", "error", "Error"]
            .iter()
            .find_map(|key| value.get(key))
            .unwrap_or(&value);
        let field = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| inner.get(n).and_then(|v| v.as_str()))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Self {
            code: field(&["code", "Code"]),
            message: field(&["message", "Message"]),
        }
    }

    /// The body the live Chat service writes, byte for byte in layout (CRLF, 2 spaces).
    /// `message` is omitted when `None`, as the service does for some 400s.
    pub fn render_service_shape(code: &str, message: Option<&str>) -> String {
        let code = json_string(code);
        match message {
            Some(m) => format!(
                "{{\r\n  \"CommunicationError\": {{\r\n    \"Code\": {code},\r\n    \"Message\": {},\r\n    \"Details\": []\r\n  }}\r\n}}",
                json_string(m)
            ),
            None => format!(
                "{{\r\n  \"CommunicationError\": {{\r\n    \"Code\": {code},\r\n    \"Details\": []\r\n  }}\r\n}}"
            ),
        }
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_shape() {
        let service = ErrorBody::render_service_shape(
            "NotFound",
            Some("The specified thread id was not found."),
        );
        let a = ErrorBody::parse(service.as_bytes());
        assert_eq!(a.code.as_deref(), Some("NotFound"));
        assert_eq!(
            a.message.as_deref(),
            Some("The specified thread id was not found.")
        );

        let b = ErrorBody::parse(
            br#"{"error":{"code":"Unauthorized","message":"Request is not authorized."}}"#,
        );
        assert_eq!(b.code.as_deref(), Some("Unauthorized"));

        let c = ErrorBody::parse(br#"{"Code":"Forbidden","Message":"no"}"#);
        assert_eq!(c.code.as_deref(), Some("Forbidden"));

        assert_eq!(ErrorBody::parse(b""), ErrorBody::default());
        assert_eq!(ErrorBody::parse(b"<html>"), ErrorBody::default());
    }

    #[test]
    fn service_shape_without_message() {
        let s = ErrorBody::render_service_shape("BadRequest", None);
        assert_eq!(
            s,
            "{\r\n  \"CommunicationError\": {\r\n    \"Code\": \"BadRequest\",\r\n    \"Details\": []\r\n  }\r\n}"
        );
    }
}
