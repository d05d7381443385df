//! What the Trouter service says on a socket, in socket.io 0.9 frames
//! ([`crate::wire::socketio`]): a pushed request and the end that asks for a fresh
//! token.

use crate::wire::socketio;

/// A pushed request, which the client answers with a message carrying `id`.
pub fn request(id: u64, url: &str, body: &str) -> String {
    socketio::message(serde_json::json!({
        "id": id,
        "method": "POST",
        "url": url,
        "headers": { "Content-Type": "application/json" },
        "body": body,
    }))
}

/// Ends the connection so that the client reconnects with a fresh token.
pub fn unauthorized() -> String {
    socketio::disconnect("unauthorized")
}
