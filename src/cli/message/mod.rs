//! `acs-chat message send|list|show|update|delete`.
//!
//! `send` carries the seed's `clientMessageId` and `priority` in metadata (as the
//! interactive client does) and retries safely: after an attempt whose outcome is
//! unknown it looks for the message by client message id before sending again.
//! `list` follows paging and prints oldest first; `--follow` keeps polling.

use std::io::{IsTerminal as _, Read as _};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use futures::StreamExt as _;
use time::OffsetDateTime;

use crate::acs::{self, ChatThreadClient, ListOptions};
use crate::seed::message_meta;
use crate::wire::{ChatMessage, ChatMessageType, UpdateChatMessageRequest};

mod since;
mod tables;

use crate::acs::MessageCursor;
use crate::cli::context::Context;
use crate::cli::exit::CliError;
use crate::cli::follow;
use crate::cli::output::Table;
use crate::cli::thread::ThreadArg;
pub use since::parse_since;
use tables::{STREAM_WIDTHS, message_details, message_table};

/// `message ...`
#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Sends a message (content by --content, as an argument, or on stdin).
    Send {
        #[command(flatten)]
        thread: ThreadArg,
        #[command(flatten)]
        content: ContentArgs,
        /// The seed's priority, kept in message metadata.
        #[arg(long, value_enum, default_value_t = Priority::Normal)]
        priority: Priority,
        /// The message type.
        #[arg(long = "type", value_enum, default_value_t = Kind::Text)]
        kind: Kind,
        /// Send each non-empty line of the text as its own message, in order, over one
        /// connection (e.g. `seq 100 | acs-chat message send --thread T --each-line`).
        #[arg(long)]
        each_line: bool,
    },
    /// Lists a thread's messages, oldest first; --follow keeps printing new ones.
    List {
        #[command(flatten)]
        thread: ThreadArg,
        /// Only messages changed since: RFC 3339 (`2026-01-01T10:00:00Z`) or an age (`90s`, `10m`, `2h`, `1d`).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only the newest N messages (with --follow: of the backlog; default 10).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Keep polling and print new and changed messages until Ctrl-C.
        #[arg(long, short = 'f')]
        follow: bool,
        /// Messages per request (1-200); the pages are followed either way.
        #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=200))]
        page_size: u32,
        /// Poll interval of --follow in milliseconds (default 250 on loopback, 1000 otherwise).
        #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(20..=60_000))]
        interval: Option<u64>,
    },
    /// Shows one message.
    Show(MessageArgs),
    /// Changes a message's content.
    Update {
        #[command(flatten)]
        message: MessageArgs,
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Deletes a message.
    Delete(MessageArgs),
}

/// `--thread ID --message ID`.
#[derive(Debug, Args)]
pub struct MessageArgs {
    #[command(flatten)]
    pub thread: ThreadArg,
    /// The message id.
    #[arg(long, value_name = "ID")]
    pub message: String,
}

/// The text, by flag, positional argument or stdin.
#[derive(Debug, Args)]
pub struct ContentArgs {
    /// The message text.
    #[arg(long, value_name = "TEXT", conflicts_with = "text")]
    pub content: Option<String>,
    /// The message text (instead of --content); read from stdin when neither is given.
    #[arg(value_name = "TEXT")]
    pub text: Option<String>,
}

/// `--priority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Priority {
    #[value(name = "Normal", alias = "normal")]
    Normal,
    #[value(name = "High", alias = "high")]
    High,
}

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Text,
    Html,
}

/// Send attempts before giving up on a retryable failure.
const SEND_ATTEMPTS: u32 = 4;

/// Runs a `message` subcommand.
pub async fn run(ctx: &Context, command: MessageCommand) -> Result<(), CliError> {
    // A bad `--since` is a usage error before anything is reached (or started).
    let since = match &command {
        MessageCommand::List { since, .. } => since
            .as_deref()
            .map(|s| parse_since(s, OffsetDateTime::now_utc()))
            .transpose()?,
        _ => None,
    };
    let session = ctx.session().await?;
    let p = ctx.printer;
    match command {
        MessageCommand::Send {
            thread,
            content,
            priority,
            kind,
            each_line,
        } => {
            let text = read_content(content)?;
            let texts: Vec<&str> = if each_line {
                text.lines().filter(|l| !l.trim().is_empty()).collect()
            } else {
                vec![text.as_str()]
            };
            let priority = match priority {
                Priority::Normal => "Normal",
                Priority::High => "High",
            };
            let kind = match kind {
                Kind::Text => ChatMessageType::Text,
                Kind::Html => ChatMessageType::Html,
            };
            let client = session.chat.thread(&thread.thread);
            // One line per message when there may be many: JSON lines, or table rows.
            let columns = ["ID", "CLIENT MESSAGE ID"];
            if each_line {
                p.stream_header(&Table::new(&columns));
            }
            for text in texts {
                let client_message_id = message_meta::new_client_message_id();
                let request = message_meta::send_request(
                    text,
                    &session.display_name,
                    kind.clone(),
                    &client_message_id,
                    priority,
                );
                let id = send_safely(&client, &request, &client_message_id).await?;
                // The seed's messageResponse: {id, clientMessageId}.
                let result = serde_json::json!({ "id": id, "clientMessageId": client_message_id });
                if each_line {
                    let row = || {
                        let mut t = Table::new(&columns);
                        t.row(vec![id.clone(), client_message_id.clone()]);
                        t
                    };
                    // Keep sending even when stdout is gone: the lines are the point.
                    let _ = p.stream_item(&result, row);
                } else {
                    p.show(&result, || {
                        Table::pairs(&[
                            ("id", id.clone()),
                            ("clientMessageId", client_message_id.clone()),
                        ])
                    });
                }
            }
        }
        MessageCommand::List {
            thread,
            since: _,
            limit,
            follow,
            page_size,
            interval,
        } => {
            let limit = limit.or(follow.then_some(10));
            let client = session.chat.thread(&thread.thread);
            let mut cursor = MessageCursor::default();
            let mut messages = Vec::new();
            let options = ListOptions {
                max_page_size: Some(page_size),
                start_time: since,
            };
            let mut stream = Box::pin(client.list_messages(options));
            while let Some(m) = stream.next().await {
                let m = m?;
                cursor.note(&m);
                if limit.is_none_or(|l| messages.len() < l) {
                    messages.push(m);
                } else if !follow {
                    break;
                }
            }
            drop(stream);
            messages.reverse();
            if !follow {
                p.show(&messages, || message_table(&messages));
                return Ok(());
            }
            let row = |m: &ChatMessage| {
                message_table(std::slice::from_ref(m)).with_min_widths(&STREAM_WIDTHS)
            };
            p.stream_header(&message_table(&[]).with_min_widths(&STREAM_WIDTHS));
            for m in &messages {
                if !p.stream_item(m, || row(m)) {
                    return Ok(());
                }
            }
            let default_ms = if session.is_loopback { 250 } else { 1000 };
            let interval = Duration::from_millis(interval.unwrap_or(default_ms));
            // Push is a speed-up, never a requirement: if it cannot even start, poll.
            let push = session.push_client().and_then(|c| match c.start() {
                Ok(n) => Some(n),
                Err(e) => {
                    eprintln!("acs-chat: push unavailable: {e}; polling");
                    None
                }
            });
            follow::follow(&client, cursor, interval, push, |m| {
                p.stream_item(m, || row(m))
            })
            .await?;
        }
        MessageCommand::Show(args) => {
            let m = session
                .chat
                .thread(&args.thread.thread)
                .get_message(&args.message)
                .await?;
            p.show(&m, || message_details(&m));
        }
        MessageCommand::Update { message, content } => {
            let text = read_content(content)?;
            let request = UpdateChatMessageRequest {
                content: Some(text),
                metadata: None,
            };
            session
                .chat
                .thread(&message.thread.thread)
                .update_message(&message.message, &request)
                .await?;
            let done = serde_json::json!({ "id": message.message, "updated": true });
            p.show(&done, || {
                Table::pairs(&[("updated", message.message.clone())])
            });
        }
        MessageCommand::Delete(args) => {
            session
                .chat
                .thread(&args.thread.thread)
                .delete_message(&args.message)
                .await?;
            let done = serde_json::json!({ "id": args.message, "deleted": true });
            p.show(&done, || Table::pairs(&[("deleted", args.message.clone())]));
        }
    }
    Ok(())
}

/// Sends, retrying a retryable failure, by the rule of [`acs::send_at_most_once`]: a
/// send that may have arrived is looked for before it is repeated, and a look that
/// fails ends in "outcome unknown" (with the client message id), never a second send.
async fn send_safely(
    client: &ChatThreadClient,
    request: &crate::wire::SendChatMessageRequest,
    client_message_id: &str,
) -> Result<String, CliError> {
    let started = OffsetDateTime::now_utc();
    let on_retry = |e: &acs::Error, wait: Duration| {
        eprintln!(
            "acs-chat: {e}; checking in {} ms whether it arrived",
            wait.as_millis()
        );
    };
    Ok(acs::send_at_most_once(
        client,
        request,
        client_message_id,
        started,
        SEND_ATTEMPTS,
        on_retry,
    )
    .await?)
}

/// The text from --content, the positional argument, or stdin (when it is not a terminal).
fn read_content(args: ContentArgs) -> Result<String, CliError> {
    let text = match args.content.or(args.text) {
        Some(text) => text,
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(CliError::Usage(
                    "no message text: give --content TEXT, a TEXT argument, or pipe it on stdin"
                        .into(),
                ));
            }
            let mut text = String::new();
            stdin
                .lock()
                .read_to_string(&mut text)
                .map_err(|e| CliError::Usage(format!("cannot read the message from stdin: {e}")))?;
            text.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    if text.trim().is_empty() {
        return Err(CliError::Usage("the message text is empty".into()));
    }
    Ok(text)
}
