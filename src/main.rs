//! The `acs-chat` binary: parses the command line and hands over to the library.

use clap::Parser as _;

use acs_chat::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            eprintln!("acs-chat: the interactive client is not built yet");
            std::process::ExitCode::FAILURE
        }
        Some(command) => match command {
            Command::Serve(args) => run_serve(args),
        },
    }
}

fn run_serve(args: acs_chat::emulator::ServeArgs) -> std::process::ExitCode {
    let result = tokio::runtime::Runtime::new()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(acs_chat::emulator::run(args)).map_err(anyhow::Error::from));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat serve: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
