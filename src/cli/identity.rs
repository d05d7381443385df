//! `acs-chat identity user create|delete` and `identity token issue|revoke`: the
//! Identity API, as the quickstart's "server side" uses it to make users and tokens.
//!
//! JSON output has the REST API's shapes (`{"identity":{"id"},"accessToken":{...}}`).
//! Tokens are printed only by the commands that exist to make them.

use clap::{Args, Subcommand, ValueEnum};

use crate::acs::{AccessToken, TokenScope};
use crate::wire::{self, CommunicationIdentity, CreateIdentityResult};

use super::context::Context;
use super::exit::CliError;
use super::output::Table;

/// `identity ...`
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Users (communication identities).
    #[command(subcommand)]
    User(UserCommand),
    /// User access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `identity user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates a user; with --scopes also issues its first token.
    Create(TokenOptions),
    /// Deletes a user and revokes all its tokens.
    Delete(UserArg),
}

/// `identity token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issues an access token for a user.
    Issue {
        #[command(flatten)]
        user: UserArg,
        #[command(flatten)]
        options: TokenOptions,
    },
    /// Revokes every token of a user.
    Revoke(UserArg),
}

/// `--user ID`.
#[derive(Debug, Args)]
pub struct UserArg {
    /// The user id (`8:acs:...`).
    #[arg(long, value_name = "ID")]
    pub user: String,
}

/// Token scopes and lifetime.
#[derive(Debug, Args)]
pub struct TokenOptions {
    /// Token scopes, comma separated (`chat`, `voip`).
    #[arg(long, value_enum, value_delimiter = ',', num_args = 1..)]
    pub scopes: Vec<Scope>,
    /// Token lifetime in minutes (60 to 1440; the service default is 1440).
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(60..=1440))]
    pub expires_in: Option<u32>,
}

/// A token scope as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scope {
    Chat,
    Voip,
}

impl From<Scope> for TokenScope {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Chat => TokenScope::Chat,
            Scope::Voip => TokenScope::Voip,
        }
    }
}

/// Runs an `identity` subcommand.
pub async fn run(ctx: &Context, command: IdentityCommand) -> Result<(), CliError> {
    let identity = ctx.identity().await?;
    let p = ctx.printer;
    match command {
        IdentityCommand::User(UserCommand::Create(options)) => {
            let scopes: Vec<TokenScope> = options.scopes.iter().copied().map(Into::into).collect();
            let result = if scopes.is_empty() {
                let id = identity.create_user().await?;
                CreateIdentityResult {
                    identity: CommunicationIdentity { id },
                    access_token: None,
                }
            } else {
                let (id, token) = identity
                    .create_user_and_token(&scopes, options.expires_in)
                    .await?;
                CreateIdentityResult {
                    identity: CommunicationIdentity { id },
                    access_token: Some(wire_token(&token)),
                }
            };
            p.show(&result, || {
                let mut pairs = vec![("id", result.identity.id.clone())];
                if let Some(t) = &result.access_token {
                    pairs.push(("token", t.token.clone()));
                    pairs.push(("expiresOn", t.expires_on.clone()));
                }
                Table::pairs(&pairs)
            });
        }
        IdentityCommand::User(UserCommand::Delete(user)) => {
            identity.delete_user(&user.user).await?;
            p.show(&serde_json::json!({ "deleted": user.user }), || {
                Table::pairs(&[("deleted", user.user.clone())])
            });
        }
        IdentityCommand::Token(TokenCommand::Issue { user, options }) => {
            let mut scopes: Vec<TokenScope> =
                options.scopes.iter().copied().map(Into::into).collect();
            if scopes.is_empty() {
                scopes.push(TokenScope::Chat);
            }
            let token = wire_token(
                &identity
                    .issue_token(&user.user, &scopes, options.expires_in)
                    .await?,
            );
            p.show(&token, || {
                Table::pairs(&[
                    ("token", token.token.clone()),
                    ("expiresOn", token.expires_on.clone()),
                ])
            });
        }
        IdentityCommand::Token(TokenCommand::Revoke(user)) => {
            identity.revoke_tokens(&user.user).await?;
            p.show(&serde_json::json!({ "revoked": user.user }), || {
                Table::pairs(&[("revoked", user.user.clone())])
            });
        }
    }
    Ok(())
}

fn wire_token(t: &AccessToken) -> wire::AccessToken {
    wire::AccessToken {
        token: t.token.clone(),
        expires_on: wire::timestamp::format_whole_seconds(t.expires_on),
    }
}
