//! The one error type of the client library.
//!
//! Every failure — an HTTP error status, a timeout, a refused connection, a body we
//! cannot read, a bad credential or configuration — becomes an [`Error`] with a
//! [`ErrorKind`], so callers branch on the kind and status, and print one clear line.

use std::fmt;
use std::time::Duration;

use crate::wire::ErrorBody;

/// What went wrong, coarsely: enough to decide whether to retry, re-authenticate or
/// tell the user to fix their configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The service answered with a non-success status.
    Http,
    /// No complete answer within the per-attempt timeout.
    Timeout,
    /// The connection could not be made or broke before an answer arrived.
    Connect,
    /// The service answered 2xx but the body or a header is not what the API defines.
    InvalidResponse,
    /// The access token is malformed, expired, or could not be refreshed.
    Credential,
    /// Bad input from the caller: connection string, URL, id, TLS certificate.
    Config,
    /// A secret would travel over plain `http://` to a non-loopback host.
    InsecureTransport,
}

impl ErrorKind {
    fn label(self) -> &'static str {
        match self {
            Self::Http => "HTTP error",
            Self::Timeout => "timeout",
            Self::Connect => "connection failed",
            Self::InvalidResponse => "invalid response",
            Self::Credential => "credential error",
            Self::Config => "configuration error",
            Self::InsecureTransport => "insecure transport",
        }
    }
}

/// An error from the ACS client library. `Display` is one line, e.g.
/// `404 NotFound: The specified thread id was not found. (request id 6f0c...)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    correlation_id: Option<String>,
    retry_after: Option<Duration>,
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error without an HTTP status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
            correlation_id: None,
            retry_after: None,
        }
    }

    /// The error for a non-success response: code and message come from whatever
    /// error envelope the body has (or none, as on the service's empty 401s).
    /// The service's text is made one short line of printable characters: it is shown
    /// in a terminal, and a hostile or broken server must not be able to drive it.
    pub fn from_status(status: u16, body: &[u8]) -> Self {
        let parsed = ErrorBody::parse(body);
        let message = parsed
            .message
            .map(|m| one_line(&m, 500))
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "the service gave no details".to_owned());
        Self {
            status: Some(status),
            code: parsed
                .code
                .map(|c| one_line(&c, 80))
                .filter(|c| !c.is_empty()),
            ..Self::new(ErrorKind::Http, message)
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub(crate) fn invalid_response(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidResponse, message)
    }

    pub(crate) fn credential(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Credential, message)
    }

    pub(crate) fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    pub(crate) fn with_correlation_id(mut self, id: Option<String>) -> Self {
        self.correlation_id = id;
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    /// What went wrong, coarsely.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status, for [`ErrorKind::Http`].
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The service's error code (`NotFound`, `BadRequest`, ...), when the body had one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The service's message, or ours when there is no service answer.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `x-ms-client-request-id` we sent on the (last) attempt: quote it to support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The service's `MS-CV` correlation vector, when it sent one.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    /// How long to wait before calling again, when the service said (`Retry-After`):
    /// what it asked, but never more than [`crate::acs::MAX_RETRY_AFTER`], so every
    /// caller that sleeps on it is capped by the one rule.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
            .map(|after| after.min(super::retry::MAX_RETRY_AFTER))
    }

    /// Whether trying the same call again later may succeed: throttling, transient
    /// server errors, timeouts and connection failures. Callers still decide whether
    /// the operation is safe to repeat.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Timeout | ErrorKind::Connect => true,
            ErrorKind::Http => matches!(self.status, Some(408 | 429 | 500 | 502 | 503 | 504)),
            _ => false,
        }
    }

    /// True for 401: the token or key was refused.
    pub fn is_unauthorized(&self) -> bool {
        self.status == Some(401)
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => {
                let code = self.code.clone().unwrap_or_else(|| reason(status));
                write!(f, "{status} {code}: {}", self.message)?;
            }
            None => write!(f, "{}: {}", self.kind.label(), self.message)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Control characters (newlines, escape sequences) become spaces, runs of whitespace
/// one space, and the text is cut to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((cut, _)) = out.char_indices().nth(max) {
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

/// The standard reason phrase without spaces (`Unauthorized`, `TooManyRequests`), used
/// as the code when the body had none.
fn reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| r.split_whitespace().collect::<String>())
        .unwrap_or_else(|| "Error".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_service_error_on_one_line() {
        let body = "{\r\n  \"CommunicationError\": {\r\n    \"Code\": \"NotFound\",\r\n    \"Message\": \"The specified thread id was not found.\",\r\n    \"Details\": []\r\n  }\r\n}";
        let e = Error::from_status(404, body.as_bytes()).with_request_id("abc");
        assert_eq!(
            e.to_string(),
            "404 NotFound: The specified thread id was not found. (request id abc)"
        );
        assert_eq!(e.code(), Some("NotFound"));
        assert!(e.is_not_found() && !e.is_retryable());
    }

    #[test]
    fn empty_401_body_still_reads_well() {
        let e = Error::from_status(401, b"");
        assert_eq!(
            e.to_string(),
            "401 Unauthorized: the service gave no details"
        );
        assert_eq!(e.code(), None);
        assert!(e.is_unauthorized());
    }

    #[test]
    fn spec_shape_and_message_less_bodies() {
        let e = Error::from_status(
            429,
            br#"{"error":{"code":"TooManyRequests","message":"Rate limit exceeded."}}"#,
        );
        assert_eq!(e.to_string(), "429 TooManyRequests: Rate limit exceeded.");
        assert!(e.is_retryable());
        let e = Error::from_status(400, b"{\r\n  \"CommunicationError\": {\r\n    \"Code\": \"BadRequest\",\r\n    \"Details\": []\r\n  }\r\n}");
        assert_eq!(e.to_string(), "400 BadRequest: the service gave no details");
    }

    #[test]
    fn service_text_cannot_break_the_line_or_drive_the_terminal() {
        let body = br#"{"error":{"code":"Bad\nCode","message":"line one\r\nline two \u001b[31mred\u001b[0m"}}"#;
        let e = Error::from_status(400, body);
        assert_eq!(e.to_string(), "400 Bad Code: line one line two [31mred [0m");
        let long = format!(
            r#"{{"error":{{"code":"X","message":"{}"}}}}"#,
            "a".repeat(2000)
        );
        assert!(Error::from_status(400, long.as_bytes()).message().len() < 510);
    }

    #[test]
    fn non_http_kinds() {
        let e = Error::new(ErrorKind::Timeout, "no answer within 30s").with_request_id("r1");
        assert_eq!(
            e.to_string(),
            "timeout: no answer within 30s (request id r1)"
        );
        assert!(e.is_retryable());
        assert!(!Error::config("bad").is_retryable());
        assert_eq!(
            Error::from_status(503, b"").to_string(),
            "503 ServiceUnavailable: the service gave no details"
        );
    }
}
