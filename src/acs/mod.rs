//! The ACS REST client library: Identity (HMAC) and Chat (bearer token) clients,
//! typed models, errors, paging and retries. No UI types in here.
//!
//! The same code talks to Azure and to the local emulator, only ever over HTTP.
//! - [`IdentityClient`]: users and tokens, signed with the connection string's key;
//! - [`ChatClient`] / [`ChatThreadClient`]: every Chat operation as one user;
//! - [`Transport`]: the shared HTTP client (timeouts, retries, TLS roots, observer);
//! - [`TokenCredential`]: the user token, refreshed before it expires;
//! - [`EventAdminClient`]: the emulator's Event Grid subscriptions and dead letters;
//! - [`realtime::PushClient`]: real-time notifications (Trouter), with typed events;
//! - [`send_at_most_once`] / [`attempt`]: the look-before-resend rule of every sender.
//!
//! Bodies are the [`crate::wire`] types.

mod chat;
mod chat_thread;
mod config;
mod connection_string;
mod error;
mod event_admin;
mod failures;
mod hmac_auth;
mod http_log;
mod identity;
mod message_cursor;
mod observe;
mod paging;
pub mod realtime;
mod redact;
mod retry;
mod send_once;
mod surrogates;
mod tls;
mod token;
mod transport;
mod urls;

pub use chat::{CHAT_API_VERSION, ChatClient};
pub use chat_thread::ChatThreadClient;
pub use config::{HttpConfig, HttpExchange, HttpObserver, RetryPolicy};
pub use connection_string::ConnectionString;
pub use error::{Error, ErrorKind, Result};
pub use event_admin::EventAdminClient;
pub use http_log::JsonLinesLog;
pub use identity::{IDENTITY_API_VERSION, IdentityClient, TokenScope};
pub use message_cursor::{MessageCursor, version_ms};
pub use paging::{ListOptions, SkipOptions};
pub use retry::MAX_RETRY_AFTER;
pub use send_once::{SendFailure, Step, attempt, find_sent, send_at_most_once};
pub use token::{AccessToken, TokenCredential, jwt_claims, jwt_expiry};
pub use transport::Transport;
