//! `acs-chat participant list|add|remove`.
//!
//! Users are given as profile names (created on first use with a connection string)
//! or raw ids. As in the interactive client, member changes on a sticky thread (the
//! seed's `isStickyThread`) are refused before any call is made.

use clap::{Args, Subcommand};
use futures::StreamExt as _;

use crate::acs::SkipOptions;
use crate::connect::Session;
use crate::seed::thread_meta::ThreadMeta;
use crate::wire::{ChatParticipant, CommunicationIdentifierModel};

use super::context::{Context, participant, resolve_user};
use super::exit::CliError;
use super::output::Table;
use super::thread::ThreadArg;

/// `participant ...`
#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Lists a thread's participants with their roles.
    List(ThreadArg),
    /// Adds users to a thread.
    Add {
        #[command(flatten)]
        thread: ThreadArg,
        /// A user: profile name or raw id (`8:acs:...`). Repeatable.
        #[arg(long = "user", value_name = "NAME|ID", required = true)]
        users: Vec<String>,
        /// The display name others see (with a single --user).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Removes a user from a thread.
    Remove(UserInThread),
}

/// `--thread ID --user NAME|ID`.
#[derive(Debug, Args)]
pub struct UserInThread {
    #[command(flatten)]
    pub thread: ThreadArg,
    /// The user: profile name or raw id (`8:acs:...`).
    #[arg(long, value_name = "NAME|ID")]
    pub user: String,
}

/// Runs a `participant` subcommand.
pub async fn run(ctx: &Context, command: ParticipantCommand) -> Result<(), CliError> {
    let session = ctx.session().await?;
    let p = ctx.printer;
    match command {
        ParticipantCommand::List(thread) => {
            let client = session.chat.thread(&thread.thread);
            let meta = ThreadMeta::parse(client.properties().await?.metadata.as_ref());
            let mut participants: Vec<ChatParticipant> = Vec::new();
            let mut stream = Box::pin(client.list_participants(SkipOptions {
                max_page_size: Some(200),
                skip: None,
            }));
            while let Some(item) = stream.next().await {
                participants.push(item?);
            }
            p.show(&participants, || {
                let mut t = Table::new(&["ID", "DISPLAY NAME", "ROLE"]);
                for member in &participants {
                    let id = member.communication_identifier.raw().unwrap_or("?");
                    let role = meta.role_of(id, member.metadata.as_ref());
                    t.row(vec![
                        id.to_owned(),
                        member.display_name.clone().unwrap_or_default(),
                        role.as_str().to_owned(),
                    ]);
                }
                t
            });
        }
        ParticipantCommand::Add {
            thread,
            users,
            display_name,
        } => {
            refuse_if_sticky(&session, &thread.thread).await?;
            if display_name.is_some() && users.len() > 1 {
                return Err(CliError::Usage(
                    "--display-name goes with a single --user".into(),
                ));
            }
            let mut members = Vec::new();
            for user in &users {
                let (id, display) = resolve_user(&session, user).await?;
                members.push(participant(id, display_name.clone().or(display)));
            }
            let result = session
                .chat
                .thread(&thread.thread)
                .add_participants(members.clone())
                .await?;
            let invalid = result.invalid_participants.unwrap_or_default();
            if !invalid.is_empty() {
                let reasons: Vec<String> = invalid
                    .iter()
                    .map(|e| format!("{}: {}", e.target.as_deref().unwrap_or("?"), e.message))
                    .collect();
                return Err(CliError::Refused(format!(
                    "some participants were not added: {}",
                    reasons.join("; ")
                )));
            }
            p.show(&members, || {
                let mut t = Table::new(&["ADDED", "DISPLAY NAME"]);
                for m in &members {
                    t.row(vec![
                        m.communication_identifier.raw().unwrap_or("?").to_owned(),
                        m.display_name.clone().unwrap_or_default(),
                    ]);
                }
                t
            });
        }
        ParticipantCommand::Remove(args) => {
            refuse_if_sticky(&session, &args.thread.thread).await?;
            let (id, _) = resolve_user(&session, &args.user).await?;
            let who = CommunicationIdentifierModel::user(id.clone());
            session
                .chat
                .thread(&args.thread.thread)
                .remove_participant(&who)
                .await?;
            p.show(&serde_json::json!({ "removed": id }), || {
                Table::pairs(&[("removed", id.clone())])
            });
        }
    }
    Ok(())
}

/// The seed's sticky threads have an immutable member list.
async fn refuse_if_sticky(session: &Session, thread_id: &str) -> Result<(), CliError> {
    let props = session.chat.thread(thread_id).properties().await?;
    if ThreadMeta::parse(props.metadata.as_ref()).sticky {
        return Err(CliError::Refused(format!(
            "thread {thread_id} is sticky: its members cannot change"
        )));
    }
    Ok(())
}
