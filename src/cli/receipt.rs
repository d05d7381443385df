//! `acs-chat receipt send|list`: read receipts.

use clap::Subcommand;
use futures::StreamExt as _;

use crate::acs::SkipOptions;
use crate::wire::ChatMessageReadReceipt;
use crate::wire::timestamp::format_whole_seconds;

use super::context::Context;
use super::exit::CliError;
use super::message::MessageArgs;
use super::output::Table;
use super::thread::ThreadArg;

/// `receipt ...`
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Marks a message (and all before it) as read by you.
    Send(MessageArgs),
    /// Lists the read receipts of a thread.
    List(ThreadArg),
}

/// Runs a `receipt` subcommand.
pub async fn run(ctx: &Context, command: ReceiptCommand) -> Result<(), CliError> {
    let session = ctx.session().await?;
    let p = ctx.printer;
    match command {
        ReceiptCommand::Send(args) => {
            session
                .chat
                .thread(&args.thread.thread)
                .send_read_receipt(&args.message)
                .await?;
            let done = serde_json::json!({ "chatMessageId": args.message, "read": true });
            p.show(&done, || Table::pairs(&[("read", args.message.clone())]));
        }
        ReceiptCommand::List(thread) => {
            let client = session.chat.thread(&thread.thread);
            let mut receipts: Vec<ChatMessageReadReceipt> = Vec::new();
            let mut stream = Box::pin(client.list_read_receipts(SkipOptions {
                max_page_size: Some(200),
                skip: None,
            }));
            while let Some(r) = stream.next().await {
                receipts.push(r?);
            }
            p.show(&receipts, || {
                let mut t = Table::new(&["READER", "MESSAGE", "READ ON"]);
                for r in &receipts {
                    t.row(vec![
                        r.sender_communication_identifier
                            .raw()
                            .unwrap_or("?")
                            .to_owned(),
                        r.chat_message_id.clone(),
                        format_whole_seconds(r.read_on),
                    ]);
                }
                t
            });
        }
    }
    Ok(())
}
