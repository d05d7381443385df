//! How the client talks HTTP: per-attempt timeout, retry policy, extra trusted CA
//! certificates, user agent, and an optional observer of every exchange.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Settings for a [`crate::acs::Transport`].
#[derive(Clone)]
pub struct HttpConfig {
    /// Limit for one attempt (connect, send, and read the whole answer).
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Extra trusted CA certificates (PEM), e.g. the local emulator's self-signed one.
    pub extra_ca_pem: Vec<Vec<u8>>,
    /// Trust only `extra_ca_pem`, not the system roots: for the local default, whose
    /// certificate is the only one that should ever be accepted there.
    pub trust_only_extra_ca: bool,
    pub user_agent: String,
    /// Sees every attempt, already redacted: for `--http-log` and `--verbose`.
    pub observer: Option<Arc<dyn HttpObserver>>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            extra_ca_pem: Vec::new(),
            trust_only_extra_ca: false,
            user_agent: format!("acs-chat/{}", env!("CARGO_PKG_VERSION")),
            observer: None,
        }
    }
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("extra_ca_pem", &self.extra_ca_pem.len())
            .field("trust_only_extra_ca", &self.trust_only_extra_ca)
            .field("user_agent", &self.user_agent)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// Exponential backoff with jitter between attempts; a `Retry-After` from the service
/// is a floor under the computed delay (we never retry sooner than asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Delay before the first retry; doubles each time.
    pub base_delay: Duration,
    /// Cap of the computed delay.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited out: the error goes back to the
    /// caller (with [`crate::acs::Error::retry_after`]) to schedule the call itself.
    /// Above [`crate::acs::MAX_RETRY_AFTER`] it counts as that.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: super::retry::MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// One attempt only.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// Receives every HTTP attempt the client makes, after redaction.
pub trait HttpObserver: Send + Sync {
    fn exchange(&self, e: &HttpExchange);
}

/// One attempt: request and response with secrets (Authorization, access keys,
/// tokens in bodies) already replaced by `[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpExchange {
    pub method: String,
    pub url: String,
    /// 0 for the first attempt of a call, then 1, 2, ... for retries.
    pub attempt: u32,
    /// `None` when no response arrived (timeout, connection failure).
    pub status: Option<u16>,
    pub elapsed: std::time::Duration,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    /// Why no response arrived, when none did.
    pub error: Option<String>,
}
