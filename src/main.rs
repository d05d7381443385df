//! The `acs-chat` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use acs_chat::cli::{Cli, Command, ConnectionArgs, GlobalArgs};
use acs_chat::config::{self, ConfigFile};
use acs_chat::paths::Dirs;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => interactive(&cli.connection, &cli.global),
        Some(Command::Serve(args)) => return run_serve(args),
        Some(command) => return acs_chat::cli::run_command(cli.connection, &cli.global, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_serve(args: acs_chat::emulator::ServeArgs) -> ExitCode {
    let result = tokio::runtime::Runtime::new()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(acs_chat::emulator::run(args)).map_err(anyhow::Error::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat serve: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dirs() -> anyhow::Result<Dirs> {
    Dirs::discover().ok_or_else(|| anyhow::anyhow!("cannot find a home directory; set ACS_CHAT_HOME"))
}

fn load_config(args: &ConnectionArgs, dirs: &Dirs) -> anyhow::Result<ConfigFile> {
    Ok(match &args.config {
        Some(path) => ConfigFile::load(path, true)?,
        None => ConfigFile::load(&dirs.config_file(), false)?,
    })
}

fn interactive(args: &ConnectionArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!("the interactive client needs a terminal; for scripts use the subcommands (acs-chat --help)");
    }
    let dirs = dirs()?;
    let config = load_config(args, &dirs)?;
    let resolved = config::resolve(args, &config)?;
    let _log = acs_chat::logging::to_file(&dirs.state, &format!("{}.log", resolved.profile));
    let mut options = acs_chat::connect::ConnectOptions::default();
    if let Some(path) = &global.http_log {
        let observer = acs_chat::cli::http_log::FileObserver::create(path)
            .map_err(|e| anyhow::anyhow!("cannot open the HTTP log {}: {e}", path.display()))?;
        options.http_observer = Some(observer);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(acs_chat::tui::run::run(resolved, config, dirs, options))?;
    Ok(())
}
