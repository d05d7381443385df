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
use crate::wire::timestamp::format_whole_seconds;
use crate::wire::{ChatMessage, ChatMessageType, UpdateChatMessageRequest};

use super::context::Context;
use super::exit::CliError;
use super::follow;
use super::output::{Table, text_cell};
use super::thread::ThreadArg;
use crate::acs::MessageCursor;

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
            since,
            limit,
            follow,
            page_size,
            interval,
        } => {
            let since = since
                .as_deref()
                .map(|s| parse_since(s, OffsetDateTime::now_utc()))
                .transpose()?;
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

/// `--since`: RFC 3339, or an age before `now` (`90s`, `10m`, `2h`, `1d`). Any time
/// the service can be asked about is accepted: one whose UTC date is outside the
/// years 0000-9999 (a huge age, or an RFC 3339 text with an extreme offset) is refused.
pub fn parse_since(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime, CliError> {
    let out_of_range = || {
        CliError::Usage(format!(
            "--since {s:?} is out of range: the time must fall in the years 0000 to 9999 (UTC)"
        ))
    };
    let in_range = |t: OffsetDateTime| {
        t.checked_to_offset(time::UtcOffset::UTC)
            .is_some_and(|utc| utc.year() >= 0)
            .then_some(t)
            .ok_or_else(out_of_range)
    };
    if let Some(t) = crate::wire::timestamp::parse(s) {
        return in_range(t);
    }
    let bad = || {
        CliError::Usage(format!(
            "--since {s:?}: give an RFC 3339 time (2026-01-01T10:00:00Z) or an age like 90s, 10m, 2h, 1d"
        ))
    };
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return Err(bad());
    }
    let unit_secs: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    // Only digits are left, so a number that does not parse is one too big for i64.
    let age = digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_secs))
        .map(time::Duration::seconds)
        .ok_or_else(out_of_range)?;
    in_range(now.checked_sub(age).ok_or_else(out_of_range)?)
}

/// Column widths of a followed message list, whose rows are printed one at a time:
/// ids are 13-digit millisecond stamps, timestamps 20 characters.
const STREAM_WIDTHS: [usize; 5] = [13, 20, 12, 18, 8];

/// One line per message.
fn message_table(messages: &[ChatMessage]) -> Table {
    let mut t = Table::new(&["ID", "SENT", "SENDER", "TYPE", "PRIORITY", "CONTENT"]);
    for m in messages {
        t.row(vec![
            m.id.clone(),
            format_whole_seconds(m.created_on),
            m.sender_display_name.clone().unwrap_or_default(),
            m.kind.to_string(),
            message_meta::priority(m).unwrap_or("").to_owned(),
            text_cell(&describe(m)),
        ]);
    }
    t
}

fn message_details(m: &ChatMessage) -> Table {
    let mut pairs = vec![
        ("id", m.id.clone()),
        ("type", m.kind.to_string()),
        ("sequenceId", m.sequence_id.clone()),
        ("version", m.version.clone()),
        ("createdOn", format_whole_seconds(m.created_on)),
        ("sender", m.sender_display_name.clone().unwrap_or_default()),
        (
            "senderId",
            m.sender_communication_identifier
                .as_ref()
                .and_then(|s| s.raw())
                .unwrap_or("")
                .to_owned(),
        ),
        ("content", describe(m)),
    ];
    if let Some(id) = message_meta::client_message_id(m) {
        pairs.push(("clientMessageId", id.to_owned()));
    }
    if let Some(p) = message_meta::priority(m) {
        pairs.push(("priority", p.to_owned()));
    }
    if let Some(t) = m.edited_on {
        pairs.push(("editedOn", format_whole_seconds(t)));
    }
    if let Some(t) = m.deleted_on {
        pairs.push(("deletedOn", format_whole_seconds(t)));
    }
    Table::pairs(&pairs)
}

/// The content as one line for people: text, the new topic, who joined or left.
fn describe(m: &ChatMessage) -> String {
    if m.deleted_on.is_some() {
        return "(deleted)".into();
    }
    let Some(c) = &m.content else {
        return String::new();
    };
    let names = |ps: &Option<Vec<crate::wire::ChatParticipant>>| {
        ps.iter()
            .flatten()
            .map(|p| {
                p.display_name
                    .clone()
                    .or_else(|| p.communication_identifier.raw().map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = match m.kind {
        ChatMessageType::TopicUpdated => {
            format!("topic changed to {:?}", c.topic.clone().unwrap_or_default())
        }
        ChatMessageType::ParticipantAdded => format!("added {}", names(&c.participants)),
        ChatMessageType::ParticipantRemoved => format!("removed {}", names(&c.participants)),
        _ => c.message.clone().unwrap_or_default(),
    };
    if m.edited_on.is_some() {
        format!("{text} (edited)")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_rfc3339_and_ages() {
        let now = OffsetDateTime::from_unix_timestamp(1_000_000).expect("time");
        assert_eq!(
            parse_since("10m", now).expect("age").unix_timestamp(),
            1_000_000 - 600
        );
        assert_eq!(
            parse_since("2h", now).expect("age").unix_timestamp(),
            1_000_000 - 7200
        );
        assert_eq!(
            parse_since("1970-01-02T00:00:00Z", now)
                .expect("rfc")
                .unix_timestamp(),
            86_400
        );
        for bad in ["", "10", "m", "10y", "-5m", "yesterday"] {
            assert_eq!(
                parse_since(bad, now)
                    .map_err(|e| e.exit_status().code())
                    .err(),
                Some(2),
                "{bad}"
            );
        }
    }

    /// Ages and times past what the service can be asked about are usage errors, as
    /// long as the arithmetic would overflow or the year cannot be written.
    #[test]
    fn since_refuses_what_is_out_of_range() {
        let now = OffsetDateTime::from_unix_timestamp(1_000_000).expect("time");
        for bad in [
            "999999999999999999d",
            "9223372036854775807s",
            "99999999999999999999999m",
            "106751991167300d",
            "2000000d",
            "9999-12-31T23:59:59-23:59",
            "0000-01-01T00:00:00+00:01",
        ] {
            let e = parse_since(bad, now).expect_err(bad);
            assert_eq!(e.exit_status().code(), 2, "{bad}");
            assert!(e.to_string().contains("out of range"), "{bad}: {e}");
        }
        let far = parse_since("700000d", now).expect("about 1,900 years back is fine");
        assert_eq!(far.year(), 53);
    }
}
