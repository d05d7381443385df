//! `acs-chat thread create|list|show|update-topic|delete`.
//!
//! `create` makes the acting profile the thread's Admin and every `--user` a
//! User, the seed's `memberRole`s, kept in thread metadata as the interactive client
//! keeps them; `--sticky` is the seed's `isStickyThread`.

use clap::{Args, Subcommand};
use futures::StreamExt as _;

use crate::acs::ListOptions;
use crate::seed::thread_meta::ThreadMeta;
use crate::wire::timestamp::format_whole_seconds;
use crate::wire::{
    ChatThreadItem, ChatThreadProperties, CreateChatThreadRequest, UpdateChatThreadRequest,
};

use super::context::{Context, participant, resolve_user};
use super::exit::CliError;
use super::output::{Table, text_cell};

/// `thread ...`
#[derive(Debug, Subcommand)]
pub enum ThreadCommand {
    /// Creates a thread with you as Admin and the given participants as Users.
    Create {
        /// The thread's topic.
        #[arg(long)]
        topic: String,
        /// A user to add: profile name (created on first use) or raw user id. Repeatable.
        /// `--participant` is the same flag under its earlier name.
        #[arg(long = "user", visible_alias = "participant", value_name = "NAME|ID")]
        participants: Vec<String>,
        /// The seed's `isStickyThread`: the member list cannot change after creation.
        #[arg(long)]
        sticky: bool,
    },
    /// Lists the threads you are a participant of, most recently active first.
    List {
        /// At most this many threads.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Shows a thread's properties.
    Show(ThreadArg),
    /// Changes a thread's topic.
    UpdateTopic {
        #[command(flatten)]
        thread: ThreadArg,
        /// The new topic.
        #[arg(long)]
        topic: String,
    },
    /// Deletes a thread.
    Delete(ThreadArg),
}

/// `--thread ID`.
#[derive(Debug, Args)]
pub struct ThreadArg {
    /// The thread id (`19:...@thread.v2`).
    #[arg(long, value_name = "ID")]
    pub thread: String,
}

/// Runs a `thread` subcommand.
pub async fn run(ctx: &Context, command: ThreadCommand) -> Result<(), CliError> {
    let session = ctx.session().await?;
    let p = ctx.printer;
    match command {
        ThreadCommand::Create {
            topic,
            participants,
            sticky,
        } => {
            let mut members = vec![participant(
                session.user_id.clone(),
                Some(session.display_name.clone()),
            )];
            for name in &participants {
                let (id, display) = resolve_user(&session, name).await?;
                if members
                    .iter()
                    .all(|m| m.communication_identifier.raw() != Some(id.as_str()))
                {
                    members.push(participant(id, display));
                }
            }
            let meta = ThreadMeta {
                sticky,
                admins: [session.user_id.clone()].into_iter().collect(),
            };
            let request = CreateChatThreadRequest {
                topic,
                participants: members,
                metadata: Some(meta.to_metadata()),
                retention_policy: None,
            };
            let result = session.chat.create_thread(&request, None).await?;
            if let Some(invalid) = result
                .invalid_participants
                .as_ref()
                .filter(|i| !i.is_empty())
            {
                for e in invalid {
                    eprintln!(
                        "acs-chat: participant {} not added: {}",
                        e.target.as_deref().unwrap_or("?"),
                        e.message
                    );
                }
            }
            match &result.chat_thread {
                Some(thread) => p.show(&result, || properties_table(thread)),
                None => {
                    return Err(CliError::Io(
                        "the service created no thread and gave no reason".into(),
                    ));
                }
            }
        }
        ThreadCommand::List { limit } => {
            let mut threads: Vec<ChatThreadItem> = Vec::new();
            let mut stream = Box::pin(session.chat.list_threads(ListOptions {
                max_page_size: Some(200),
                start_time: None,
            }));
            while let Some(item) = stream.next().await {
                threads.push(item?);
                if limit.is_some_and(|l| threads.len() >= l) {
                    break;
                }
            }
            p.show(&threads, || {
                let mut t = Table::new(&["ID", "TOPIC", "LAST MESSAGE", "DELETED"]);
                for th in &threads {
                    t.row(vec![
                        th.id.clone(),
                        text_cell(&th.topic),
                        th.last_message_received_on
                            .map(format_whole_seconds)
                            .unwrap_or_default(),
                        th.deleted_on.map(format_whole_seconds).unwrap_or_default(),
                    ]);
                }
                t
            });
        }
        ThreadCommand::Show(thread) => {
            let props = session.chat.thread(&thread.thread).properties().await?;
            p.show(&props, || properties_table(&props));
        }
        ThreadCommand::UpdateTopic { thread, topic } => {
            let request = UpdateChatThreadRequest {
                topic: Some(topic.clone()),
                ..UpdateChatThreadRequest::default()
            };
            session.chat.thread(&thread.thread).update(&request).await?;
            let done = serde_json::json!({ "id": thread.thread, "topic": topic });
            p.show(&done, || {
                Table::pairs(&[("id", thread.thread.clone()), ("topic", topic.clone())])
            });
        }
        ThreadCommand::Delete(thread) => {
            session.chat.delete_thread(&thread.thread).await?;
            p.show(&serde_json::json!({ "deleted": thread.thread }), || {
                Table::pairs(&[("deleted", thread.thread.clone())])
            });
        }
    }
    Ok(())
}

/// A thread's properties as key/value lines, with the seed's stickiness and admins.
fn properties_table(t: &ChatThreadProperties) -> Table {
    let meta = ThreadMeta::parse(t.metadata.as_ref());
    let mut pairs = vec![
        ("id", t.id.clone()),
        ("topic", t.topic.clone()),
        ("createdOn", format_whole_seconds(t.created_on)),
        (
            "createdBy",
            t.created_by_communication_identifier
                .raw()
                .unwrap_or("?")
                .to_owned(),
        ),
        ("sticky", meta.sticky.to_string()),
        (
            "admins",
            meta.admins.iter().cloned().collect::<Vec<_>>().join(", "),
        ),
    ];
    if let Some(deleted) = t.deleted_on {
        pairs.push(("deletedOn", format_whole_seconds(deleted)));
    }
    Table::pairs(&pairs)
}
