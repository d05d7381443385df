//! socket.io 0.9 frames, as the bundled client encodes and decodes them:
//! `type:id[+]:endpoint[:data]` (0 disconnect, 1 connect, 2 heartbeat, 3 message,
//! 5 event, 6 ack).

/// What a client frame asks of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Heartbeat,
    /// An event (`ping`, `user.activity`, …); `ack` is the id to acknowledge.
    Event {
        name: String,
        ack: Option<String>,
    },
    /// A message: the client's answer to a pushed request.
    Message(String),
    Disconnect,
    /// Anything else (ignored).
    Other,
}

/// Parses one client frame. Never fails: what is not understood is `Other`.
pub fn parse(frame: &str) -> Incoming {
    let mut parts = frame.splitn(4, ':');
    let (Some(kind), Some(id), Some(_endpoint)) = (parts.next(), parts.next(), parts.next()) else {
        return Incoming::Other;
    };
    let data = parts.next().unwrap_or("");
    let ack = Some(id.trim_end_matches('+'))
        .filter(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned);
    match kind {
        "0" => Incoming::Disconnect,
        "2" => Incoming::Heartbeat,
        "3" => Incoming::Message(data.to_owned()),
        "5" => {
            let name = serde_json::from_str::<serde_json::Value>(data)
                .ok()
                .and_then(|v| v.get("name")?.as_str().map(str::to_owned))
                .unwrap_or_default();
            Incoming::Event { name, ack }
        }
        _ => Incoming::Other,
    }
}

pub const CONNECT: &str = "1::";
pub const HEARTBEAT: &str = "2::";

/// The ack of event `id`.
pub fn ack(id: &str) -> String {
    format!("6:::{id}")
}

/// A server event with one argument.
pub fn event(name: &str, arg: &serde_json::Value) -> String {
    format!("5:::{}", serde_json::json!({ "name": name, "args": [arg] }))
}

/// A pushed request, which the client answers with a message carrying `id`.
pub fn request(id: u64, url: &str, body: &str) -> String {
    format!(
        "3:::{}",
        serde_json::json!({
            "id": id,
            "method": "POST",
            "url": url,
            "headers": { "Content-Type": "application/json" },
            "body": body,
        })
    )
}

/// Ends the connection so that the client reconnects with a fresh token.
pub fn unauthorized() -> String {
    format!("0:::{}", serde_json::json!({ "reason": "unauthorized" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames() {
        assert_eq!(parse("2::"), Incoming::Heartbeat);
        assert_eq!(
            parse(r#"5:3+::{"name":"ping"}"#),
            Incoming::Event {
                name: "ping".into(),
                ack: Some("3".into())
            }
        );
        assert_eq!(
            parse(r#"5:::{"name":"user.activity","args":[{"state":"active"}]}"#),
            Incoming::Event {
                name: "user.activity".into(),
                ack: None
            }
        );
        assert_eq!(
            parse(r#"3:::{"id":1,"status":200}"#),
            Incoming::Message(r#"{"id":1,"status":200}"#.into())
        );
        assert_eq!(parse("0::"), Incoming::Disconnect);
        for junk in ["", "5", "5:x", "9:::z", "5:1+::not json"] {
            assert!(matches!(
                parse(junk),
                Incoming::Other | Incoming::Event { .. }
            ));
        }
        assert_eq!(ack("7"), "6:::7");
    }
}
