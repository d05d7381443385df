//! The ACS REST wire format: the JSON bodies of the Chat and Identity APIs, the
//! error envelopes, timestamps, HTTP dates and the HMAC string-to-sign; and for the
//! push half, socket.io 0.9 frames and JavaScript's `escape()`/`unescape()`.
//!
//! This is the only code the client library (`acs`) and the emulator share: the
//! emulator never imports the client and the client never imports the emulator.

pub mod error_body;
pub mod http_date;
pub mod js_escape;
pub mod models;
pub mod signing;
pub mod socketio;
pub mod timestamp;

pub use error_body::{CommunicationError, ErrorBody};
pub use models::*;
