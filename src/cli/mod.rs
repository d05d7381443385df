//! The command line: global connection options, then an optional subcommand. With no
//! subcommand acs-chat runs the interactive client.
//!
//! The scripting subcommands have the shape of the Azure CLI's `az communication`:
//! ids and text by flag, `--output json|table`, and an exit code per error class
//! (see [`exit`]). Each group lives in its own module; [`run_command`] dispatches.

pub mod context;
pub mod exit;
pub mod follow;
pub mod http_log;
pub mod identity;
pub mod message;
pub mod output;
pub mod participant;
pub mod quickstart;
pub mod receipt;
pub mod run;
pub mod thread;
pub mod typing;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use exit::{CliError, ExitStatus};
pub use identity::IdentityCommand;
pub use message::MessageCommand;
pub use output::OutputFormat;
pub use participant::ParticipantCommand;
pub use quickstart::QuickstartArgs;
pub use receipt::ReceiptCommand;
pub use run::{CompletionsArgs, run_command};
pub use thread::ThreadCommand;
pub use typing::TypingCommand;

/// The exit codes, shown at the end of `acs-chat --help`.
const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the service refused the request (any other service error)
  2  usage error: bad flags or arguments, or a bad configuration
  3  authentication or authorization failed (401, 403, bad or expired token)
  4  not found (404: no such thread, message or user)
  5  throttled (429: too many requests; retry later)
  6  network error: cannot connect, TLS failure, or no answer in time

On failure the ACS error code, message and request id go to stderr.";

/// What `--version` prints: the REST api-versions go with the build, so a bug report
/// says what was spoken to the service, not only which acs-chat it was.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} (Chat API {}, Identity API {})",
        env!("CARGO_PKG_VERSION"),
        crate::acs::CHAT_API_VERSION,
        crate::acs::IDENTITY_API_VERSION,
    )
});

/// A terminal chat client for Azure Communication Services Chat, with a built-in local emulator.
#[derive(Debug, Parser)]
#[command(name = "acs-chat", version = VERSION.as_str(), about, long_about = None, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How to reach ACS: flags win over environment, environment over the config file,
/// and with none of them the local emulator is used.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// ACS connection string (`endpoint=https://...;accesskey=...`).
    #[arg(
        long,
        global = true,
        env = "ACS_CONNECTION_STRING",
        hide_env_values = true
    )]
    pub connection_string: Option<String>,

    /// ACS endpoint URL, used with --token to run as a single identity.
    #[arg(long, global = true, env = "ACS_ENDPOINT")]
    pub endpoint: Option<String>,

    /// ACS user access token (with --endpoint).
    #[arg(long, global = true, env = "ACS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// An extra CA certificate (PEM) to trust, e.g. an emulator's certificate.
    #[arg(long, global = true, env = "ACS_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// The profile (identity) to act as, created on first use with a connection string.
    /// Default: alice (with --endpoint + --token: your login name, as display name).
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The config file to read instead of the platform default.
    #[arg(long, global = true, env = "ACS_CHAT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ConnectionArgs {
    /// What the config layer needs of these flags to choose the connection.
    pub fn flags(&self) -> crate::config::ConnectionFlags {
        crate::config::ConnectionFlags {
            connection_string: self.connection_string.clone(),
            endpoint: self.endpoint.clone(),
            token: self.token.clone(),
            ca_cert: self.ca_cert.clone(),
            profile: self.profile.clone(),
        }
    }
}

/// Options of every scripting subcommand: how results are printed and where the HTTP
/// exchange is recorded.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct GlobalArgs {
    /// How results are printed: `json` (stable, for scripts) or `table` (for people).
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Print nothing on success (errors still go to stderr).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Append every HTTP request and response (secrets redacted) to FILE.
    #[arg(long, global = true, env = "ACS_CHAT_HTTP_LOG", value_name = "FILE")]
    pub http_log: Option<PathBuf>,

    /// The --http-log format: `text` (for people and bug reports) or `jsonl` (one JSON object per exchange).
    #[arg(long, global = true, value_enum, default_value_t = http_log::LogFormat::Text)]
    pub http_log_format: http_log::LogFormat,
}

/// The subcommands. None of them is needed for chatting: that is the interactive client.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Users and their access tokens (Identity API; needs a connection string or the local default).
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Chat threads: create, list, show, change the topic, delete.
    #[command(subcommand)]
    Thread(ThreadCommand),
    /// Messages of a thread: send, list (and follow), show, update, delete.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Participants of a thread: list, add, remove.
    #[command(subcommand)]
    Participant(ParticipantCommand),
    /// Typing notifications.
    #[command(subcommand)]
    Typing(TypingCommand),
    /// Read receipts: send, list.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// Runs the seed quickstart step by step against the chosen endpoint, narrating each call.
    Quickstart(QuickstartArgs),
    /// Prints a shell completion script (bash, zsh or fish) to stdout.
    Completions(CompletionsArgs),
    /// Run the local ACS emulator (Chat + Identity REST APIs on SQLite).
    Serve(crate::emulator::ServeArgs),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
