//! socket.io 0.9 frames, the grammar both ends of a Trouter socket speak:
//! `type:id[+]:endpoint[:data]` (0 disconnect, 1 connect, 2 heartbeat, 3 message,
//! 4 json, 5 event, 6 ack, 7 error, 8 noop). What each end accepts and answers is
//! its own policy; this is only how frames are read and written.
//!
//! Frames come from outside: [`parse`] never panics, and a frame that does not fit
//! the grammar is an error, not something to guess at.

use std::fmt::Display;

use serde_json::Value;

/// The longest frame read: pushed chat events are far smaller (a message is at most
/// 28 KiB of text, escaped twice), and the client's own frames are acks and answers.
pub const MAX_FRAME: usize = 1 << 20;

pub const DISCONNECT: &str = "0::";
pub const CONNECT: &str = "1::";
pub const HEARTBEAT: &str = "2::";

/// One frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `0::…`: the sender ends the connection; the reason, when it gave one.
    Disconnect(String),
    /// `1::`: the socket is open.
    Connect,
    /// `2::`.
    Heartbeat,
    /// `3:::data`: a message (Trouter's pushed requests and their answers).
    Message(String),
    /// `5:N+::{"name":…,"args":[…]}`; `ack` is `N`, the id to acknowledge.
    Event {
        name: String,
        args: Vec<Value>,
        ack: Option<u64>,
    },
    /// `6:::N` or `6:::N+[…]`: the ack of event `N`.
    Ack(u64),
    /// `7:::reason`.
    Error(String),
    /// `4` (json) and `8` (noop).
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

/// Parses one frame.
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
    let ack = match digits {
        "" => None,
        d => Some(d.parse::<u64>().map_err(|_| garbage())?),
    };
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
                ack,
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

/// Event `name` (with `args`); with `ack`, the receiver answers `6:::{ack}`.
pub fn event(ack: Option<u64>, name: &str, args: Option<Value>) -> String {
    let mut v = serde_json::json!({ "name": name });
    if let Some(args) = args {
        v["args"] = args;
    }
    match ack {
        Some(id) => format!("5:{id}+::{v}"),
        None => format!("5:::{v}"),
    }
}

/// A message frame.
pub fn message(data: impl Display) -> String {
    format!("3:::{data}")
}

/// The ack of event `id`.
pub fn ack(id: u64) -> String {
    format!("6:::{id}")
}

/// Ends the connection, saying why.
pub fn disconnect(reason: &str) -> String {
    format!("0:::{}", serde_json::json!({ "reason": reason }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(parse("1::"), Ok(Frame::Connect));
        assert_eq!(parse("2::"), Ok(Frame::Heartbeat));
        assert_eq!(parse("8::"), Ok(Frame::Ignored));
        assert_eq!(
            parse(r#"5:::{"name":"trouter.connected","args":[{"ttl":"60"}]}"#),
            Ok(Frame::Event {
                name: "trouter.connected".into(),
                args: vec![serde_json::json!({"ttl": "60"})],
                ack: None,
            })
        );
        assert_eq!(
            parse(r#"5:1::{"name":"x"}"#),
            Ok(Frame::Event {
                name: "x".into(),
                args: vec![],
                ack: Some(1),
            })
        );
        assert_eq!(
            parse(r#"5:3+::{"name":"ping"}"#),
            Ok(Frame::Event {
                name: "ping".into(),
                args: vec![],
                ack: Some(3),
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
            "5:x",
            "hello",
            "9::",
            "9:::z",
            "x:1:",
            "5:a::{}",
            "5:::not json",
            "5:1+::not json",
            "5:99999999999999999999999+::{\"name\":\"x\"}",
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
    fn written_frames_read_back() {
        assert_eq!(event(Some(4), "ping", None), r#"5:4+::{"name":"ping"}"#);
        let activity = event(
            Some(1),
            "user.activity",
            Some(serde_json::json!([{"state": "active"}])),
        );
        assert_eq!(
            parse(&activity),
            Ok(Frame::Event {
                name: "user.activity".into(),
                args: vec![serde_json::json!({"state": "active"})],
                ack: Some(1),
            })
        );
        let connected = event(None, "trouter.connected", Some(serde_json::json!([{}])));
        assert!(connected.starts_with("5:::"), "{connected}");
        assert_eq!(message(serde_json::json!({"id": 1})), r#"3:::{"id":1}"#);
        assert_eq!(ack(7), "6:::7");
        assert_eq!(
            parse(&disconnect("unauthorized")),
            Ok(Frame::Disconnect("unauthorized".into()))
        );
    }
}
