//! The webhook of `events listen`: answers Event Grid's validation handshake (Event
//! Grid schema: the `validationResponse` body; CloudEvents: the OPTIONS
//! abuse-protection header) and prints each event it receives, one line each.
//! Pure HTTP: it works the same behind a tunnel from Azure as on the loopback
//! address the local emulator delivers to.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::Notify;

use super::output::{OutputFormat, truncate, write_stdout};
use crate::sanitize::one_line;

/// The type of the Event Grid-schema handshake event.
const VALIDATION_EVENT: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";

/// How much of a message body a readable line shows.
const MAX_BODY_COLUMNS: usize = 200;

/// What the receiver prints, and how it says that stdout closed.
pub struct Receiver {
    pub format: OutputFormat,
    pub quiet: bool,
    /// Full type names to print; empty = all.
    pub types: Vec<String>,
    /// Notified once stdout is closed (`... | head -3`): nothing more can be shown.
    pub closed: Notify,
}

/// The webhook: every path, so any URL a tunnel forwards reaches it.
pub fn router(receiver: Arc<Receiver>) -> axum::Router {
    axum::Router::new().fallback(hook).with_state(receiver)
}

async fn hook(
    State(r): State<Arc<Receiver>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::OPTIONS {
        return cloudevents_handshake(&headers);
    }
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "the body is not JSON").into_response();
    };
    let events = match body {
        Value::Array(events) => events,
        one => vec![one],
    };
    if let Some(code) = validation_code(&events) {
        note("answered the Event Grid validation handshake");
        return axum::Json(serde_json::json!({ "validationResponse": code })).into_response();
    }
    for event in events.iter().filter(|e| r.wants(e)) {
        if !r.print(event) {
            r.closed.notify_one();
            break;
        }
    }
    StatusCode::OK.into_response()
}

/// CloudEvents abuse protection: consent is the `WebHook-Allowed-Origin` header naming
/// the sender's origin.
fn cloudevents_handshake(headers: &HeaderMap) -> Response {
    let origin = headers
        .get("webhook-request-origin")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*")
        .to_owned();
    note(&format!(
        "answered the CloudEvents handshake from {}",
        one_line(&origin)
    ));
    (
        StatusCode::OK,
        [
            ("webhook-allowed-origin", origin),
            ("webhook-allowed-rate", "*".to_owned()),
        ],
    )
        .into_response()
}

/// The code of an Event Grid-schema validation request, if `events` is one.
fn validation_code(events: &[Value]) -> Option<Value> {
    let first = events.first()?;
    (first["eventType"] == VALIDATION_EVENT).then(|| first["data"]["validationCode"].clone())
}

fn note(text: &str) {
    eprintln!("acs-chat: {text}");
}

/// The type of an event in either schema.
fn event_type(event: &Value) -> &str {
    event["eventType"]
        .as_str()
        .or_else(|| event["type"].as_str())
        .unwrap_or_default()
}

impl Receiver {
    fn wants(&self, event: &Value) -> bool {
        let kind = event_type(event);
        self.types.is_empty() || self.types.iter().any(|t| t.eq_ignore_ascii_case(kind))
    }

    /// Prints one event; false once stdout is closed.
    fn print(&self, event: &Value) -> bool {
        if self.quiet {
            return true;
        }
        match self.format {
            OutputFormat::Json => write_stdout(&format!("{event}\n")),
            OutputFormat::Table => write_stdout(&format!("{}\n", readable(event))),
        }
    }
}

/// `TIME  TYPE  SUBJECT  "message body"`: the type without its
/// `Microsoft.Communication.` prefix, every field from the network sanitized.
pub fn readable(event: &Value) -> String {
    let time = event["eventTime"]
        .as_str()
        .or_else(|| event["time"].as_str())
        .unwrap_or("-");
    let kind = event_type(event);
    let short = kind
        .strip_prefix("Microsoft.Communication.")
        .unwrap_or(kind);
    let subject = event["subject"].as_str().unwrap_or("-");
    let mut line = format!(
        "{}  {}  {}",
        one_line(time),
        one_line(short),
        one_line(subject)
    );
    if let Some(body) = event["data"]["messageBody"].as_str() {
        line.push_str(&format!(
            "  \"{}\"",
            truncate(&one_line(body), MAX_BODY_COLUMNS)
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readable_line_neutralizes_what_the_network_sent() {
        let event = serde_json::json!({
            "eventType": "Microsoft.Communication.ChatMessageReceivedInThread",
            "eventTime": "2025-01-02T03:04:05.678Z",
            "subject": "thread/19:a\u{1b}]0;x\u{7}@thread.v2/sender/8:acs:u",
            "data": { "messageBody": "hi\n\u{1b}[31mred" },
        });
        let line = readable(&event);
        assert!(!line.contains('\u{1b}'), "{line:?}");
        assert!(!line.contains('\n'), "{line:?}");
        assert!(
            line.starts_with("2025-01-02T03:04:05.678Z  ChatMessageReceivedInThread  thread/19:a")
        );
        assert!(line.ends_with("red\""), "{line:?}");
    }

    #[test]
    fn a_cloudevent_reads_like_an_event_grid_event() {
        let event = serde_json::json!({
            "type": "Microsoft.Communication.ChatThreadCreated",
            "time": "t",
            "subject": "thread/19:a/createdBy/8:acs:u",
            "data": {},
        });
        assert_eq!(
            readable(&event),
            "t  ChatThreadCreated  thread/19:a/createdBy/8:acs:u"
        );
    }

    #[test]
    fn only_a_validation_event_is_a_handshake() {
        let hs = serde_json::json!([{ "eventType": VALIDATION_EVENT, "data": { "validationCode": "C" } }]);
        let hs = hs.as_array().cloned().unwrap_or_default();
        assert_eq!(validation_code(&hs), Some(Value::from("C")));
        let ev =
            vec![serde_json::json!({ "eventType": "Microsoft.Communication.ChatThreadCreated" })];
        assert_eq!(validation_code(&ev), None);
    }
}
