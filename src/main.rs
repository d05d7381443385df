//! The `acs-chat` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use acs_chat::cli::{Cli, Command, ConnectionArgs};
use acs_chat::config::{self, ConfigFile};
use acs_chat::paths::Dirs;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => interactive(&cli.connection),
        Some(Command::Serve(args)) => serve(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: acs_chat::emulator::ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(acs_chat::emulator::run(args));
    // Everything that matters (server, store) has stopped; don't linger on timers.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(result?)
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

fn interactive(args: &ConnectionArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    let dirs = dirs()?;
    let config = load_config(args, &dirs)?;
    let resolved = config::resolve(args, &config)?;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!("the interactive client needs a terminal; for scripts use the subcommands (acs-chat --help)");
    }
    let _log = acs_chat::logging::to_file(&dirs.state, &format!("{}.log", resolved.profile));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(acs_chat::tui::run::run(resolved, config, dirs, Default::default()))?;
    Ok(())
}
