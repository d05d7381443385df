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
        Some(Command::Serve(args)) => run_serve(args),
        Some(command) => acs_chat::cli::run_command(cli.connection, &cli.global, command),
    }
}

fn run_serve(args: acs_chat::emulator::ServeArgs) -> std::process::ExitCode {
    let result = tokio::runtime::Runtime::new().map_err(anyhow::Error::from).and_then(|rt| {
        let result = rt.block_on(acs_chat::emulator::run(args)).map_err(anyhow::Error::from);
        // Everything that matters (server, store) has stopped; don't linger on timers.
        rt.shutdown_timeout(std::time::Duration::from_millis(200));
        result
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat serve: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
