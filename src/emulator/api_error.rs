//! The one error type of the HTTP layer: a status, a service error code and an
//! optional message. How it is written depends on which API answered: Chat writes
//! the live service's `CommunicationError` shape, Identity and the emulator's own
//! endpoints the spec's `{"error":{...}}` shape, and a Chat 401 has no body at all.

use axum::http::StatusCode;

/// Which family of endpoints a request belongs to; decides error shapes and headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Chat,
    Identity,
    Emulator,
}

/// A failed request, ready to be rendered for its [`Family`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: Option<String>,
    /// Seconds for `Retry-After` (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<Option<String>>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", Some(message.into()))
    }

    /// A 400 without a message, as the service answers a malformed thread id.
    pub fn bad_request_bare() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", None)
    }

    pub fn invalid_message_id(raw: &str) -> Self {
        Self::bad_request(format!("Value for MessageId ({raw}) is not valid."))
    }

    pub fn invalid_identifier(raw: &str) -> Self {
        Self::bad_request(format!("Identifier format is invalid ({raw})."))
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            Some("Request is not authorized.".to_owned()),
        )
    }

    pub fn not_participant() -> Self {
        Self::forbidden("The initiator is not a participant of the specified thread.")
    }

    pub fn no_permission() -> Self {
        Self::forbidden(
            "The initiator doesn't have the permission to perform the requested operation.",
        )
    }

    pub fn forbidden(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", Some(message.to_owned()))
    }

    pub fn thread_not_found() -> Self {
        Self::not_found("The specified thread id was not found.")
    }

    pub fn message_not_found() -> Self {
        Self::not_found("The specified message id was not found.")
    }

    pub fn not_found(message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", Some(message.to_owned()))
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            Some("Rate limit exceeded.".to_owned()),
        );
        e.retry_after = Some(retry_after.max(1));
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            Some(format!("The request body is larger than {limit} bytes.")),
        )
    }

    /// The store failed (disk full, closed during shutdown): not the caller's fault.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            Some("The service is unavailable.".to_owned()),
        )
    }

    /// The response body for `family`; `None` means an empty body.
    pub fn body(&self, family: Family) -> Option<String> {
        match family {
            Family::Chat if self.status == StatusCode::UNAUTHORIZED => None,
            Family::Chat => Some(crate::wire::ErrorBody::render_service_shape(
                &self.code,
                self.message.as_deref(),
            )),
            Family::Identity | Family::Emulator => {
                let body = serde_json::json!({
                    "error": { "code": self.code, "message": self.message.clone().unwrap_or_default() }
                });
                Some(body.to_string())
            }
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "store error");
        Self::unavailable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_401_has_no_body_and_chat_errors_use_service_shape() {
        assert_eq!(ApiError::unauthorized().body(Family::Chat), None);
        let body = ApiError::thread_not_found()
            .body(Family::Chat)
            .unwrap_or_default();
        assert!(body.starts_with("{\r\n  \"CommunicationError\""));
        let id = ApiError::unauthorized()
            .body(Family::Identity)
            .unwrap_or_default();
        assert_eq!(
            crate::wire::ErrorBody::parse(id.as_bytes()).code.as_deref(),
            Some("Unauthorized")
        );
    }
}
