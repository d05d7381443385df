//! `acs-chat typing send`: a typing notification, as a chat UI sends while composing.

use clap::Subcommand;

use super::context::Context;
use super::exit::CliError;
use super::output::Table;
use super::thread::ThreadArg;

/// `typing ...`
#[derive(Debug, Subcommand)]
pub enum TypingCommand {
    /// Tells the thread's other participants that you are typing.
    Send(ThreadArg),
}

/// Runs a `typing` subcommand.
pub async fn run(ctx: &Context, command: TypingCommand) -> Result<(), CliError> {
    let session = ctx.session().await?;
    match command {
        TypingCommand::Send(thread) => {
            session
                .chat
                .thread(&thread.thread)
                .send_typing(Some(&session.display_name))
                .await?;
            let done = serde_json::json!({ "thread": thread.thread, "typing": true });
            ctx.printer.show(&done, || {
                Table::pairs(&[("typing sent", thread.thread.clone())])
            });
        }
    }
    Ok(())
}
