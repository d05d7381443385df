//! What every subcommand needs before its first call: the directories, the config
//! file, the `--http-log` observer, the printer, and a way to connect — the same way
//! the interactive client connects (flags > environment > config file > local
//! default, `--as NAME`), through [`crate::connect`].

use std::sync::Arc;

use crate::acs::{ConnectionString, HttpObserver, IdentityClient, Transport};
use crate::config::{self, ConfigFile, Resolved};
use crate::connect::{self, ConnectOptions, Reachable, Session, members};
use crate::paths::Dirs;
use crate::wire::{ChatParticipant, CommunicationIdentifierModel};

use super::exit::CliError;
use super::http_log;
use super::output::Printer;
use super::{ConnectionArgs, GlobalArgs};

/// The setup shared by all subcommands.
pub struct Context {
    pub connection: ConnectionArgs,
    pub printer: Printer,
    pub dirs: Dirs,
    pub config: ConfigFile,
    /// The `--http-log` writer, when asked for.
    pub observer: Option<Arc<dyn HttpObserver>>,
}

impl Context {
    /// Reads the config file and opens the HTTP log. No network yet.
    pub fn new(connection: ConnectionArgs, global: &GlobalArgs) -> Result<Self, CliError> {
        let dirs = Dirs::discover().ok_or_else(|| {
            CliError::Usage("cannot find a home directory; set ACS_CHAT_HOME".into())
        })?;
        let config = match &connection.config {
            Some(path) => ConfigFile::load(path, true)?,
            None => ConfigFile::load(&dirs.config_file(), false)?,
        };
        let observer = match &global.http_log {
            Some(path) => Some(http_log::open(path, global.http_log_format).map_err(|e| {
                CliError::Usage(format!("cannot open the HTTP log {}: {e}", path.display()))
            })?),
            None => None,
        };
        Ok(Self {
            connection,
            printer: Printer {
                format: global.output,
                quiet: global.quiet,
            },
            dirs,
            config,
            observer,
        })
    }

    /// Where to connect, after precedence.
    pub fn resolved(&self) -> Result<Resolved, CliError> {
        Ok(config::resolve(&self.connection.flags(), &self.config)?)
    }

    /// Connects as the chosen profile (creating it on first use with a connection string).
    pub async fn session(&self) -> Result<Session, CliError> {
        self.session_with(self.observer.clone()).await
    }

    /// [`Context::session`] with another observer (the quickstart adds its narrator).
    pub async fn session_with(
        &self,
        observer: Option<Arc<dyn HttpObserver>>,
    ) -> Result<Session, CliError> {
        let resolved = self.resolved()?;
        let session = connect::connect(
            &resolved,
            &self.dirs,
            &self.config,
            ConnectOptions {
                http_observer: observer,
                // A command lives for moments: a valid cached token saves asking
                // Identity for a new one every time.
                reuse_cached_tokens: true,
            },
        )
        .await?;
        for warning in &session.warnings {
            eprintln!("acs-chat: warning: {warning}");
        }
        Ok(session)
    }

    /// The Identity endpoint: a connection string (given or the local default's).
    /// Endpoint + token alone cannot manage identities.
    pub async fn identity_target(
        &self,
        observer: Option<Arc<dyn HttpObserver>>,
    ) -> Result<(ConnectionString, Transport), CliError> {
        let resolved = self.resolved()?;
        match connect::reach(&resolved, &self.dirs, observer).await? {
            (transport, Reachable::ConnectionString { connection_string, .. }) => {
                Ok((connection_string, transport))
            }
            (_, Reachable::EndpointToken { .. }) => Err(CliError::Usage(
                "identity commands need a connection string (--connection-string or ACS_CONNECTION_STRING), \
                 not --endpoint with --token"
                    .into(),
            )),
        }
    }

    /// An Identity client for [`Context::identity_target`].
    pub async fn identity(&self) -> Result<IdentityClient, CliError> {
        let (cs, transport) = self.identity_target(self.observer.clone()).await?;
        Ok(IdentityClient::new(&cs, transport))
    }
}

/// A user given on the command line, by the one rule of [`members::resolve`]: an ACS
/// id as is, else a profile name (lower-cased; created when the session can).
pub async fn resolve_user(
    session: &Session,
    user: &str,
) -> Result<(String, Option<String>), CliError> {
    Ok(members::resolve(session, user).await?)
}

/// A participant entry for `user`.
pub fn participant(id: String, display_name: Option<String>) -> ChatParticipant {
    ChatParticipant {
        communication_identifier: CommunicationIdentifierModel::user(id),
        display_name,
        share_history_time: None,
        metadata: None,
    }
}
