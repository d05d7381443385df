//! The command line: global connection options, then an optional subcommand. With no
//! subcommand acs-chat runs the interactive client.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// A terminal chat client for Azure Communication Services Chat, with a built-in local emulator.
#[derive(Debug, Parser)]
#[command(name = "acs-chat", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How to reach ACS: flags win over environment, environment over the config file,
/// and with none of them the local emulator is used.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectionArgs {
    /// ACS connection string (`endpoint=https://...;accesskey=...`).
    #[arg(long, global = true, env = "ACS_CONNECTION_STRING", hide_env_values = true)]
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
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The config file to read instead of the platform default.
    #[arg(long, global = true, env = "ACS_CHAT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local ACS emulator (Chat + Identity REST APIs on SQLite).
    Serve(crate::emulator::ServeArgs),
}
