//! socket.io 0.9 frames as the Trouter client decodes and encodes them:
//! `type:id[+]:endpoint[:data]` (0 disconnect, 1 connect, 2 heartbeat, 3 message,
//! 4 json, 5 event, 6 ack, 7 error, 8 noop).
//!
//! Frames come from outside: [`parse`] never panics, and a frame that does not fit
//! the grammar is an error (the caller ends the connection and falls back), not
//! something to guess at.

use serde_json::Value;

/// The longest frame accepted: pushed chat events are far smaller (a message is at
/// most 28 KiB of text, escaped twice).
pub const MAX_FRAME: usize = 1 << 20;

/// One frame from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `0::…`: the server ends the connection; the reason, when it gave one.
    Disconnect(String),
    /// `1::`: the socket is open.
    Connect,
    /// `2::`: answered with a heartbeat of our own.
    Heartbeat,
    /// `3:::data`: a pushed request (or anything else sent as a message).
    Message(String),
    /// `5:::{"name":…,"args":[…]}`: a server event.
    Event { name: String, args: Vec<Value> },
    /// `6:::N` or `6:::N+[…]`: the ack of our event `N`.
    Ack(u64),
    /// `7:::reason`.
    Error(String),
    /// `4` (json) and `8` (noop): nothing for us.
    Ignored,
}

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a frame of {0} bytes is over the limit")]
    TooLong(usize),
    #[error("a frame that is not socket.io: {0:?}")]
    Garbage(String),
}

/// Parses one frame from the server.
pub fn parse(frame: &str) -> Result<Frame, FrameError> {
    if frame.len() > MAX_FRAME {
        return Err(FrameError::TooLong(frame.len()));
    }
    let garbage = || FrameError::Garbage(preview(frame));
    let (kind, rest) = frame.split_once(':').ok_or_else(garbage)?;
    let (id, rest) = rest.split_once(':').ok_or_else(garbage)?;
    let digits = id.strip_suffix('+').unwrap_or(id);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(garbage());
    }
    // The endpoint (always empty for Trouter) runs to the next ':'; data follows it.
    let data = rest.split_once(':').map_or("", |(_, data)| data);
    match kind {
        "0" => Ok(Frame::Disconnect(disconnect_reason(data))),
        "1" => Ok(Frame::Connect),
        "2" => Ok(Frame::Heartbeat),
        "3" => Ok(Frame::Message(data.to_owned())),
        "4" | "8" => Ok(Frame::Ignored),
        "5" => {
            let v: Value = serde_json::from_str(data).map_err(|_| garbage())?;
            let name = v.get("name").and_then(Value::as_str).ok_or_else(garbage)?;
            let args = match v.get("args") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a.clone(),
                Some(_) => return Err(garbage()),
            };
            Ok(Frame::Event {
                name: name.to_owned(),
                args,
            })
        }
        "6" => {
            let n = data.split_once('+').map_or(data, |(n, _)| n);
            n.parse().map(Frame::Ack).map_err(|_| garbage())
        }
        "7" => Ok(Frame::Error(preview(data))),
        _ => Err(garbage()),
    }
}

/// `0:::{"reason":"unauthorized"}`, `0:::dup` or `0::`.
fn disconnect_reason(data: &str) -> String {
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("reason")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| data.to_owned())
}

/// The start of a frame, for an error message (frames are outside data: the text is
/// made printable where it is shown).
fn preview(s: &str) -> String {
    let mut p: String = s.chars().take(60).collect();
    if p.len() < s.len() {
        p.push('…');
    }
    p
}

pub const HEARTBEAT: &str = "2::";

/// Our event `name` (with `args`), acked by the server as `6:::{id}`.
pub fn event(id: u64, name: &str, args: Option<Value>) -> String {
    let mut v = serde_json::json!({ "name": name });
    if let Some(args) = args {
        v["args"] = args;
    }
    format!("5:{id}+::{v}")
}

/// A message frame (our answer to a pushed request).
pub fn message(data: &Value) -> String {
    format!("3:::{data}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_frames() {
        assert_eq!(parse("1::"), Ok(Frame::Connect));
        assert_eq!(parse("2::"), Ok(Frame::Heartbeat));
        assert_eq!(parse("8::"), Ok(Frame::Ignored));
        assert_eq!(
            parse(r#"5:::{"name":"trouter.connected","args":[{"ttl":"60"}]}"#),
            Ok(Frame::Event {
                name: "trouter.connected".into(),
                args: vec![serde_json::json!({"ttl": "60"})]
            })
        );
        assert_eq!(
            parse(r#"5:1::{"name":"x"}"#),
            Ok(Frame::Event {
                name: "x".into(),
                args: vec![]
            })
        );
        assert_eq!(
            parse(r#"3:::{"id":1,"body":"a:b"}"#),
            Ok(Frame::Message(r#"{"id":1,"body":"a:b"}"#.into()))
        );
        assert_eq!(parse("6:::12"), Ok(Frame::Ack(12)));
        assert_eq!(parse(r#"6:::3+["pong"]"#), Ok(Frame::Ack(3)));
        assert_eq!(
            parse(r#"0:::{"reason":"unauthorized"}"#),
            Ok(Frame::Disconnect("unauthorized".into()))
        );
        assert_eq!(parse("0:::dup"), Ok(Frame::Disconnect("dup".into())));
        assert_eq!(parse("0::"), Ok(Frame::Disconnect(String::new())));
        assert_eq!(parse("7:::bad"), Ok(Frame::Error("bad".into())));
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for junk in [
            "",
            "5",
            "hello",
            "9::",
            "x:1:",
            "5:a::{}",
            "5:::not json",
            r#"5:::{"args":[]}"#,
            r#"5:::{"name":1}"#,
            r#"5:::{"name":"x","args":{}}"#,
            "6:::",
            "6:::-1",
            "6:::99999999999999999999999",
            "\u{0}\u{1}::",
            "5:::\u{FFFF}",
        ] {
            assert!(
                matches!(parse(junk), Err(FrameError::Garbage(_))),
                "{junk:?}: {:?}",
                parse(junk)
            );
        }
        let long = format!("3:::{}", "x".repeat(MAX_FRAME));
        assert!(matches!(parse(&long), Err(FrameError::TooLong(_))));
    }

    #[test]
    fn client_frames() {
        assert_eq!(event(4, "ping", None), r#"5:4+::{"name":"ping"}"#);
        let activity = event(
            1,
            "user.activity",
            Some(serde_json::json!([{"state": "active"}])),
        );
        assert_eq!(
            parse(&activity),
            Ok(Frame::Event {
                name: "user.activity".into(),
                args: vec![serde_json::json!({"state": "active"})]
            })
        );
        assert_eq!(message(&serde_json::json!({"id": 1})), r#"3:::{"id":1}"#);
    }
}
