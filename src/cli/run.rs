//! Dispatch of the scripting subcommands: builds the [`Context`], runs the command on
//! a tokio runtime, prints the error line and returns the exit status.

use std::process::ExitCode;

use clap::{Args, CommandFactory as _, ValueEnum};

use super::context::Context;
use super::exit::{CliError, ExitStatus};
use super::{Cli, Command, ConnectionArgs, GlobalArgs};

/// `completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Runs one subcommand; errors go to stderr as one line (`acs-chat: ...`) and become
/// the exit status of their class.
pub fn run_command(connection: ConnectionArgs, global: &GlobalArgs, command: Command) -> ExitCode {
    match run(connection, global, command) {
        Ok(()) => ExitStatus::Success.into(),
        Err(e) => {
            eprintln!("acs-chat: {e}");
            e.exit_status().into()
        }
    }
}

fn run(connection: ConnectionArgs, global: &GlobalArgs, command: Command) -> Result<(), CliError> {
    if let Command::Completions(args) = &command {
        print_completions(args.shell);
        return Ok(());
    }
    let ctx = Context::new(connection, global)?;
    let _log = crate::logging::to_file(&ctx.dirs.state, "cli.log");
    // One thread: a command waits on one request at a time, and handing each
    // response between worker threads costs more than it saves.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        match command {
            Command::Identity(c) => super::identity::run(&ctx, c).await,
            Command::Thread(c) => super::thread::run(&ctx, c).await,
            Command::Message(c) => super::message::run(&ctx, c).await,
            Command::Participant(c) => super::participant::run(&ctx, c).await,
            Command::Typing(c) => super::typing::run(&ctx, c).await,
            Command::Receipt(c) => super::receipt::run(&ctx, c).await,
            Command::Events(c) => super::events::run(&ctx, c).await,
            Command::Quickstart(args) => super::quickstart::run(&ctx, args).await,
            Command::Completions(_) => Ok(()),
            // `serve` is dispatched by main before the scripting commands.
            Command::Serve(_) => Err(CliError::Usage("serve is not a scripting command".into())),
        }
    })
}

fn print_completions(shell: Shell) {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout();
    match shell {
        Shell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "acs-chat", &mut out)
        }
        Shell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, "acs-chat", &mut out)
        }
        Shell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "acs-chat", &mut out)
        }
    }
}
