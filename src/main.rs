//! The `acs-chat` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use acs_chat::cli::{Cli, Command, ConnectionArgs, GlobalArgs};
use acs_chat::config::{self, ConfigFile};
use acs_chat::connect::ConnectOptions;
use acs_chat::paths::Dirs;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => interactive(&cli.connection, &cli.global),
        Some(Command::Serve(args)) => serve(args),
        Some(command) => return acs_chat::cli::run_command(cli.connection, &cli.global, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat: {e:#}");
            // A bad config file or flag combination is a usage error, as for the
            // scripting commands.
            if e.downcast_ref::<config::ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn serve(args: acs_chat::emulator::ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    if args.stop {
        return runtime.block_on(stop_emulator(&args));
    }
    // The background emulator the client starts logs to a capped file; `serve` in a
    // terminal logs to stderr.
    let _log = match &args.log_file {
        Some(path) => acs_chat::logging::to_path(path),
        None => {
            acs_chat::logging::to_stderr();
            None
        }
    };
    let result = runtime.block_on(acs_chat::emulator::run(args));
    // Everything that matters (server, store) has stopped; don't linger on timers.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    // Each emulator error's message already names its cause; `{:#}` would repeat it.
    result.map_err(|e| anyhow::anyhow!("{e}"))
}

/// `acs-chat serve --stop`: the documented way to stop a (background) emulator.
async fn stop_emulator(args: &acs_chat::emulator::ServeArgs) -> anyhow::Result<()> {
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => Dirs::discover()
            .ok_or_else(|| anyhow::anyhow!("cannot find a home directory; set ACS_CHAT_HOME"))?
            .emulator_data(),
    };
    let cert = std::fs::read(data_dir.join("cert.pem")).ok();
    let stopped =
        acs_chat::connect::local::stop(args.host, args.port, &args.access_key, cert.as_deref())
            .await?;
    if stopped {
        println!("stopped the emulator on {}:{}", args.host, args.port);
    } else {
        println!("no emulator listens on {}:{}", args.host, args.port);
    }
    Ok(())
}

fn interactive(args: &ConnectionArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    let dirs = Dirs::discover()
        .ok_or_else(|| anyhow::anyhow!("cannot find a home directory; set ACS_CHAT_HOME"))?;
    let (config_path, explicit) = match &args.config {
        Some(path) => (path.clone(), true),
        None => (dirs.config_file(), false),
    };
    let config = ConfigFile::load(&config_path, explicit)?;
    let resolved = config::resolve(&args.flags(), &config)?;
    // `[keys]` names the interactive client's actions, so it is checked here, where
    // they are used, before the terminal is taken over.
    let keys = acs_chat::tui::keymap::KeyBindings::from_file(&config).map_err(|message| {
        config::ConfigError::Parse {
            path: config_path,
            message,
        }
    })?;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the interactive client needs a terminal; for scripts use the subcommands (acs-chat --help)"
        );
    }
    let mut options = ConnectOptions::default();
    if let Some(path) = &global.http_log {
        let observer = acs_chat::cli::http_log::open(path, global.http_log_format)
            .map_err(|e| anyhow::anyhow!("cannot open the HTTP log {}: {e}", path.display()))?;
        options.http_observer = Some(observer);
    }
    let _log = acs_chat::logging::to_file(&dirs.state, &format!("{}.log", resolved.profile));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(acs_chat::tui::run::run(
        resolved, config, keys, dirs, options,
    ))?;
    Ok(())
}
