//! The state every request handler shares.

use std::sync::atomic::{AtomicI64, Ordering};

use tokio::sync::watch;

use super::auth::liveness::TokenLiveness;
use super::faults::Faults;
use super::store::{Store, now_ms};
use super::throttle::Throttle;

/// Shared by all requests (behind an `Arc`).
pub struct App {
    pub store: Store,
    /// Signs and verifies user access tokens; lives in the database.
    pub token_secret: Vec<u8>,
    /// What is known of identities' tokens (revoked? deleted?), so that checking a
    /// token does not cost a store round trip each time.
    pub token_liveness: TokenLiveness,
    /// The decoded access key that Identity requests are signed with.
    pub access_key: Vec<u8>,
    pub resource_id: String,
    pub scheme: &'static str,
    /// `host:port` for URLs when a request carries no usable Host.
    pub fallback_authority: String,
    pub throttle: Option<Throttle>,
    /// Test-only fault injection (`serve --faults`).
    pub faults: Option<Faults>,
    /// Answer only requests whose `Host` names loopback: set for plain http on a
    /// loopback address, where a DNS-rebinding page could otherwise reach the
    /// emulator (over https the browser's certificate check stops it).
    pub loopback_hosts_only: bool,
    /// `serve --cors-origin`: the only origins browser pages may call from (empty:
    /// any origin on the Chat and real-time routes, loopback ones on the key's routes).
    pub cors_origins: Vec<String>,
    /// Request lines at debug rather than info (`serve --log-file`).
    pub quiet_requests: bool,
    /// When the last request arrived (epoch ms), for the idle timeout.
    pub last_request_ms: AtomicI64,
    /// Real-time notifications: connected sockets, registrations, the event hub.
    pub realtime: super::realtime::Realtime,
    /// Event Grid: subscriptions, the outbox's delivery tasks.
    pub eventgrid: std::sync::Arc<super::eventgrid::EventGrid>,
    /// Set to `true` to stop the server (shutdown endpoint, idle timeout, signals).
    pub shutdown: watch::Sender<bool>,
}

impl App {
    pub fn touch(&self) {
        self.last_request_ms.store(now_ms(), Ordering::Relaxed);
    }

    pub fn request_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}
