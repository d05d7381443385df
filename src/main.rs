//! The `acs-chat` binary: parses the command line and hands over to the library.

use clap::Parser as _;

use acs_chat::cli::Cli;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            eprintln!("acs-chat: the interactive client is not built yet");
            std::process::ExitCode::FAILURE
        }
        Some(command) => match command {},
    }
}
