//! Exit codes and the error type of the scripting subcommands.
//!
//! Scripts branch on the exit code, so each class of failure has its own: usage 2 (as
//! clap uses), authentication 3, not found 4, throttled 5, network 6, and 1 for any
//! other refusal by the service. The codes are listed in `acs-chat --help`.

use std::process::ExitCode;

use crate::acs::{self, ErrorKind};
use crate::config::ConfigError;
use crate::connect::ConnectError;

/// The process exit status of a subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    /// The service refused the request for a reason not listed below.
    Service = 1,
    /// Bad flags, arguments or configuration (clap also exits with 2).
    Usage = 2,
    /// 401/403, or a token that is malformed, expired or cannot be refreshed.
    Auth = 3,
    /// 404.
    NotFound = 4,
    /// 429.
    Throttled = 5,
    /// No connection, TLS failure, or no answer in time.
    Network = 6,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(s.code())
    }
}

/// Why a subcommand failed. `Display` is the one line printed on stderr (after the
/// step name, for the quickstart).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{}", describe_acs(.0))]
    Acs(#[from] acs::Error),
    /// A send that gave up (`message send`); exits by the error behind it.
    #[error("{0}")]
    Send(Box<acs::SendFailure>),
    #[error("{0}")]
    Connect(#[from] ConnectError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A bad argument that clap could not catch (e.g. an unparsable `--since`).
    #[error("{0}")]
    Usage(String),
    /// A local file or terminal problem.
    #[error("{0}")]
    Io(String),
    /// The client itself refuses (e.g. member changes on a sticky thread).
    #[error("{0}")]
    Refused(String),
    /// A quickstart step failed.
    #[error("step {number} ({name}) failed: {source}")]
    Step {
        number: usize,
        name: &'static str,
        source: Box<CliError>,
    },
}

impl From<acs::SendFailure> for CliError {
    fn from(e: acs::SendFailure) -> Self {
        Self::Send(Box::new(e))
    }
}

impl CliError {
    /// The exit status for this error's class.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Acs(e) => classify(e),
            Self::Send(e) => classify(e.error()),
            Self::Connect(ConnectError::Acs(e)) => classify(e),
            Self::Connect(ConnectError::Local(_)) => ExitStatus::Network,
            Self::Connect(ConnectError::Config(_)) | Self::Config(_) | Self::Usage(_) => {
                ExitStatus::Usage
            }
            Self::Connect(ConnectError::Cache(_)) | Self::Io(_) | Self::Refused(_) => {
                ExitStatus::Service
            }
            Self::Step { source, .. } => source.exit_status(),
        }
    }
}

/// Maps a client library error to its exit status.
pub fn classify(e: &acs::Error) -> ExitStatus {
    match e.kind() {
        ErrorKind::Timeout | ErrorKind::Connect => ExitStatus::Network,
        ErrorKind::Credential => ExitStatus::Auth,
        ErrorKind::Config | ErrorKind::InsecureTransport => ExitStatus::Usage,
        ErrorKind::InvalidResponse => ExitStatus::Service,
        ErrorKind::Http => match e.status() {
            Some(401 | 403) => ExitStatus::Auth,
            Some(404) => ExitStatus::NotFound,
            Some(429) => ExitStatus::Throttled,
            _ => ExitStatus::Service,
        },
    }
}

/// One line with the ACS error code, message and request id, e.g.
/// `404 NotFound: The specified thread id was not found. (request id 6f0c...)`.
/// The client library's `Display` already has that shape; a `Retry-After` is added.
fn describe_acs(e: &acs::Error) -> String {
    match e.retry_after() {
        Some(after) => format!("{e} (retry after {} s)", after.as_secs().max(1)),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_http_class_has_its_code() {
        let status = |s: u16| classify(&acs::Error::from_status(s, b""));
        assert_eq!(status(401), ExitStatus::Auth);
        assert_eq!(status(403), ExitStatus::Auth);
        assert_eq!(status(404), ExitStatus::NotFound);
        assert_eq!(status(429), ExitStatus::Throttled);
        assert_eq!(status(400), ExitStatus::Service);
        assert_eq!(status(500), ExitStatus::Service);
        assert_eq!(
            classify(&acs::Error::new(ErrorKind::Connect, "refused")),
            ExitStatus::Network
        );
        assert_eq!(
            classify(&acs::Error::new(ErrorKind::Timeout, "slow")),
            ExitStatus::Network
        );
    }

    #[test]
    fn step_errors_keep_the_class_of_their_cause() {
        let inner = CliError::Acs(acs::Error::from_status(404, b""));
        let e = CliError::Step {
            number: 3,
            name: "create thread",
            source: Box::new(inner),
        };
        assert_eq!(e.exit_status(), ExitStatus::NotFound);
        assert!(
            e.to_string()
                .starts_with("step 3 (create thread) failed: 404"),
            "{e}"
        );
        assert_eq!(CliError::Usage("x".into()).exit_status().code(), 2);
    }
}
