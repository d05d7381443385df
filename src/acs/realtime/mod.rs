//! Real-time notifications: the push half of ACS Chat, spoken as the official
//! signaling client (`@azure/communication-signaling`) speaks it, so it works against
//! the real service and the local emulator alike (`docs/realtime.md`).
//!
//! [`PushClient::start`] runs one background task: the configuration call,
//! allocation, the socket.io socket, the registrar, heartbeats and pings, and
//! reconnects with jittered backoff and the allocation's cached connect parameters.
//! The caller reads [`Update`]s: connection states ([`PushState`]) and typed chat
//! events ([`ChatEvent`]). Events are never the only source of truth: after every
//! `Live` the caller catches up over REST, and while push is down it polls.

mod connection;
mod events;
mod setup;
mod socket;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use url::Url;

use super::config::RetryPolicy;
use super::error::Result;
use super::token::TokenCredential;
use super::transport::Transport;
pub use events::{
    ChatEvent, EventError, Membership, MessageDeleted, MessageEvent, MessageInfo, Participant,
    ReadReceipt, ThreadCreated, ThreadDeleted, ThreadUpdated, Typing,
};
pub use setup::CONFIG_API_VERSION;

/// Timeouts and backoff; the defaults are the official client's.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// From opening the socket to `trouter.connected`.
    pub connect_timeout: Duration,
    /// Each HTTP call (configuration, allocation, handshake, registrar).
    pub request_timeout: Duration,
    pub ping_every: Duration,
    /// A ping unanswered this long ends the connection.
    pub pong_timeout: Duration,
    /// The `user.activity` event unanswered this long ends the connection.
    pub activity_timeout: Duration,
    /// The longest wait between reconnect attempts.
    pub max_backoff: Duration,
}

impl Default for PushOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(10),
            ping_every: Duration::from_secs(40),
            pong_timeout: Duration::from_secs(5),
            activity_timeout: Duration::from_secs(10),
            max_backoff: Duration::from_secs(50),
        }
    }
}

/// Where the push connection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushState {
    Connecting,
    /// Connected and registered: events arrive as they happen.
    Live,
    /// Not connected; the next attempt comes after `retry_in`.
    Down {
        reason: String,
        retry_in: Duration,
    },
    /// Given up (the token is refused again and again): push stays off.
    Stopped {
        reason: String,
    },
}

impl fmt::Display for PushState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connecting => f.write_str("connecting"),
            Self::Live => f.write_str("live"),
            // Reasons may quote what a service sent: never raw onto a terminal.
            Self::Down { reason, .. } | Self::Stopped { reason } => {
                write!(f, "push unavailable: {}", crate::sanitize::one_line(reason))
            }
        }
    }
}

/// What the push task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    State(PushState),
    Event(ChatEvent),
}

/// A real-time notifications client for one user. Cheap to clone.
#[derive(Clone)]
pub struct PushClient {
    endpoint: Url,
    credential: TokenCredential,
    transport: Transport,
    options: PushOptions,
}

impl PushClient {
    /// The client of `endpoint` (the resource URL) as the credential's user, over the
    /// REST transport's TLS settings and HTTP observer.
    pub fn new(endpoint: Url, credential: TokenCredential, transport: Transport) -> Self {
        Self {
            endpoint,
            credential,
            transport,
            options: PushOptions::default(),
        }
    }

    pub fn with_options(mut self, options: PushOptions) -> Self {
        self.options = options;
        self
    }

    /// Starts the background task on the current runtime. Everything remote is a
    /// [`PushState`]; the TLS settings are the transport's, checked when it was built.
    pub fn start(self) -> Result<Notifications> {
        // The task retries on its own schedule; one attempt per call here.
        let transport = self
            .transport
            .with_attempts(RetryPolicy::none(), self.options.request_timeout);
        let tls = transport.tls();
        let (tx, rx) = mpsc::channel(1024);
        let (stop_tx, stop_rx) = watch::channel(false);
        let client = Client {
            http: setup::Http {
                transport,
                credential: self.credential,
            },
            endpoint: self.endpoint,
            tls,
            options: self.options,
            registration_id: uuid::Uuid::new_v4().to_string(),
            session_id: uuid::Uuid::new_v4().to_string(),
            client_id: now_id(),
            attempt: 0,
            event_id: 0,
            services: None,
            cached: None,
            registered: None,
        };
        let task = tokio::spawn(client.run(tx, stop_rx));
        Ok(Notifications {
            rx,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

/// The running push task's output. Dropping it ends the task at once; [`Self::stop`]
/// also removes the registration.
pub struct Notifications {
    rx: mpsc::Receiver<Update>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Notifications {
    /// The next update; `None` once the task has ended.
    pub async fn next(&mut self) -> Option<Update> {
        self.rx.recv().await
    }

    /// Ends the task, unregistering from the registrar (bounded by the request timeout).
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
        }
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The task's state across connections.
struct Client {
    http: setup::Http,
    endpoint: Url,
    tls: Arc<rustls::ClientConfig>,
    options: PushOptions,
    /// The endpoint id: one per client, as the registrar keys on it.
    registration_id: String,
    session_id: String,
    client_id: u128,
    attempt: u32,
    event_id: u64,
    services: Option<setup::Services>,
    /// The last allocation's socket.io base and connect parameters.
    cached: Option<(Url, std::collections::BTreeMap<String, String>)>,
    /// The registrar holding our registration.
    registered: Option<String>,
}

/// Forced token refreshes in a row after which push gives up, as the SDK does.
const MAX_REFUSALS: u32 = 3;

impl Client {
    async fn run(mut self, tx: mpsc::Sender<Update>, mut stop: watch::Receiver<bool>) {
        let mut failures: u32 = 0;
        let mut refusals: u32 = 0;
        loop {
            if tx.send(Update::State(PushState::Connecting)).await.is_err() {
                break;
            }
            let end = tokio::select! {
                end = self.connect_once(&tx) => end,
                _ = stop.wait_for(|s| *s) => connection_end("stopped", true),
            };
            if end.stop {
                break;
            }
            refusals = if end.unauthorized { refusals + 1 } else { 0 };
            if refusals > MAX_REFUSALS {
                let reason = format!("{} ({MAX_REFUSALS} fresh tokens refused)", end.reason);
                let _ = tx.send(Update::State(PushState::Stopped { reason })).await;
                break;
            }
            failures = if end.was_live {
                0
            } else {
                failures.saturating_add(1)
            };
            let retry_in = backoff(failures, self.options.max_backoff, rand::random::<f64>());
            tracing::info!(reason = %end.reason, retry_in_ms = retry_in.as_millis() as u64, "push down");
            let down = PushState::Down {
                reason: end.reason,
                retry_in,
            };
            if tx.send(Update::State(down)).await.is_err() {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(retry_in) => {}
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        if let Some(registrar) = self.registered.take()
            && let Err(e) = self
                .http
                .unregister(&registrar, &self.registration_id)
                .await
        {
            tracing::debug!(error = %e, "push: could not unregister");
        }
    }
}

fn connection_end(reason: &str, stop: bool) -> connection::Ended {
    connection::Ended {
        reason: reason.to_owned(),
        unauthorized: false,
        was_live: false,
        stop,
    }
}

/// The wait before reconnect attempt `failures` (0 after a live connection ended:
/// at once, give or take a second), the official client's steps with ±20% jitter.
fn backoff(failures: u32, max: Duration, jitter: f64) -> Duration {
    const STEPS_MS: [u64; 7] = [1_000, 2_000, 5_000, 7_000, 15_000, 30_000, 50_000];
    let base = match failures {
        0 => 500,
        n => {
            STEPS_MS[usize::try_from(n - 1)
                .unwrap_or(usize::MAX)
                .min(STEPS_MS.len() - 1)]
        }
    };
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Duration::from_millis((base as f64 * factor) as u64).min(max)
}

/// The client id of `con_num` (ms at start, as the official client's).
fn now_id() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reason_from_a_service_reaches_no_terminal_raw() {
        let state = PushState::Down {
            reason: "the push service disconnected (\u{1b}[2J\u{1b}]0;pwned\u{7})".into(),
            retry_in: std::time::Duration::from_secs(1),
        };
        let shown = state.to_string();
        assert!(shown.starts_with("push unavailable: "), "{shown}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let max = Duration::from_secs(50);
        assert_eq!(backoff(1, max, 0.5), Duration::from_secs(1));
        assert_eq!(backoff(3, max, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(3, max, 1.0), Duration::from_secs(6));
        assert_eq!(backoff(u32::MAX, max, 1.0), max);
        assert!(backoff(0, max, 1.0) < Duration::from_secs(1));
        assert_eq!(
            backoff(5, Duration::from_secs(2), 0.5),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn states_read_as_the_status_bar_shows_them() {
        assert_eq!(PushState::Live.to_string(), "live");
        let down = PushState::Down {
            reason: "the configuration call answered 404".into(),
            retry_in: Duration::ZERO,
        };
        assert_eq!(
            down.to_string(),
            "push unavailable: the configuration call answered 404"
        );
    }
}
