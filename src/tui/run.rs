//! The interactive client's event loop: the terminal, one channel of [`Event`]s fed by
//! the keyboard, a clock tick, the poller, the sender and push, and [`App::update`] turning
//! each event into state changes and [`Command`]s, which are executed here as tokio
//! tasks that report back through the same channel.
//!
//! The first frame is drawn before any network: connecting (and starting the local
//! emulator when needed) happens in the background and arrives as an event.

use std::io::{self, Write as _};
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream, KeyboardEnhancementFlags, PopKeyboardEnhancementFlags,
    PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use crate::config::{ConfigFile, Resolved};
use crate::connect::{self, ConnectOptions, Session};
use crate::paths::Dirs;
use crate::tui::app::{App, Command, ConnectionState, Event, ProfileInfo, UiSettings};
use crate::tui::commands_exec;
use crate::tui::keymap::KeyBindings;
use crate::tui::outbox::{self, OutboxCommand, OutboxHandle};
use crate::tui::poller::{self, PollerControl, PollerHandle};
use crate::tui::push;
use crate::tui::view;

/// Runs the interactive client until the user quits.
///
/// `keys` are the config file's `[keys]`, already checked by the caller
/// ([`KeyBindings::from_file`]), so a mistake in them is reported before the
/// terminal is taken over.
pub async fn run(
    resolved: Resolved,
    config: ConfigFile,
    keys: KeyBindings,
    dirs: Dirs,
    options: ConnectOptions,
) -> io::Result<()> {
    let settings = settings_from_config(&config, keys);
    let profile = ProfileInfo {
        name: resolved.profile.clone(),
        display_name: config.display_name(&resolved.profile),
        endpoint: "connecting…".to_owned(),
        ..ProfileInfo::default()
    };
    let mut app = App::new(profile, settings);
    app.show_participants = config.ui.show_participants;

    let monochrome =
        !config.ui.color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut terminal = TerminalGuard::enter(config.ui.mouse, monochrome)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();

    // First frame before any network.
    terminal.draw(&app)?;

    spawn_input(tx.clone());
    spawn_ticks(tx.clone());
    let (session_tx, mut session_rx) = mpsc::unbounded_channel::<Result<Session, String>>();
    let connect_after = |delay: Duration| {
        let (resolved, config, dirs, options, session_tx) = (
            resolved.clone(),
            config.clone(),
            dirs.clone(),
            options.clone(),
            session_tx.clone(),
        );
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let result = connect::connect(&resolved, &dirs, &config, options)
                .await
                .map_err(|e| e.to_string());
            let _ = session_tx.send(result);
        });
    };
    connect_after(Duration::ZERO);
    let mut connect_failures = 0u32;

    let mut workers: Option<Workers> = None;
    let mut early: Vec<Command> = Vec::new();
    loop {
        let event = tokio::select! {
            Some(event) = rx.recv() => event,
            Some(result) = session_rx.recv() => match result {
                Ok(session) => {
                    let w = Workers::start(&session, &config, &dirs, tx.clone());
                    for command in early.drain(..) {
                        w.execute(command);
                    }
                    for warning in &session.warnings {
                        let _ = tx.send(Event::ActionResult { what: "warning".into(), result: Err(warning.clone()) });
                    }
                    let info = profile_of(&session);
                    workers = Some(w);
                    Event::SessionReady { profile: info, open_thread: session.quickstart_thread.clone() }
                }
                // Not reachable yet (offline, emulator still starting): keep trying, the
                // user keeps composing meanwhile.
                Err(error) => {
                    connect_failures += 1;
                    let delay = Duration::from_secs(1 << connect_failures.min(5));
                    connect_after(delay);
                    Event::Connection(ConnectionState::Retrying { in_secs: delay.as_secs(), error })
                }
            },
            else => break,
        };
        // Coalesce bursts: apply everything already queued before drawing once.
        let mut quit = false;
        let mut next = Some(event);
        while let Some(event) = next.take().or_else(|| rx.try_recv().ok()) {
            for command in app.update(event) {
                match command {
                    Command::Quit => quit = true,
                    Command::RingBell => terminal.bell(),
                    other => match &workers {
                        Some(w) => w.execute(other),
                        // Typed before connecting finished: runs once it has.
                        None => early.push(other),
                    },
                }
            }
        }
        if quit {
            break;
        }
        terminal.draw(&app)?;
    }
    // The terminal first: unregistering from push may take a round trip.
    drop(terminal);
    if let Some(w) = workers {
        w.stop().await;
    }
    Ok(())
}

/// The UI settings of the config file. The local offset is read here, once, because
/// `update` may not read the clock or the environment.
fn settings_from_config(config: &ConfigFile, keys: KeyBindings) -> UiSettings {
    let ui = &config.ui;
    UiSettings {
        keys,
        bell: ui.bell,
        timestamp_format: ui.timestamp_format,
        sort: ui.sort,
        paste_confirm_lines: ui.paste_confirm_lines,
        utc_offset: time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC),
        id_seed: rand::random(),
    }
}

fn profile_of(session: &Session) -> ProfileInfo {
    ProfileInfo {
        name: session.profile.clone(),
        user_id: session.user_id.clone(),
        display_name: session.display_name.clone(),
        endpoint: session.endpoint.to_string(),
        known_profiles: session.known_profiles.clone(),
    }
}

/// The background tasks of a connected session.
struct Workers {
    session: Session,
    poller: PollerHandle,
    outbox: OutboxHandle,
    events: mpsc::UnboundedSender<Event>,
    push: Option<push::PushTask>,
}

impl Workers {
    fn start(
        session: &Session,
        config: &ConfigFile,
        dirs: &Dirs,
        events: mpsc::UnboundedSender<Event>,
    ) -> Self {
        let intervals = config.poll.resolve(session.is_loopback);
        let poller = poller::spawn(session.chat.clone(), intervals, events.clone());
        let cache = crate::connect::identities::IdentityCache::new(&dirs.state, &session.endpoint);
        let outbox_path = cache.dir().join(format!("{}.outbox.json", session.profile));
        let outbox = outbox::spawn(session.chat.clone(), outbox_path, events.clone());
        let push = push::spawn(session, poller.clone(), events.clone());
        Self {
            session: session.clone(),
            poller,
            outbox,
            events,
            push,
        }
    }

    /// Ends what must end cleanly (the push registration).
    async fn stop(self) {
        if let Some(push) = self.push {
            push.stop().await;
        }
    }

    /// Runs one command: poller and sender commands go to their tasks, the rest become
    /// short tasks that report back as events.
    fn execute(&self, command: Command) {
        match command {
            Command::OpenThread { thread_id } => {
                self.poller.send(PollerControl::OpenThread(thread_id))
            }
            Command::FetchParticipants { thread_id } => self
                .poller
                .send(PollerControl::RefreshParticipants(thread_id)),
            Command::Send(send) => {
                self.poller.send(PollerControl::Activity);
                self.outbox.send(OutboxCommand::Send(send));
            }
            Command::RetrySend {
                client_message_id, ..
            } => self.outbox.send(OutboxCommand::Retry { client_message_id }),
            Command::DiscardSend {
                client_message_id, ..
            } => self
                .outbox
                .send(OutboxCommand::Discard { client_message_id }),
            Command::Refresh { thread_id } => self.poller.send(PollerControl::Refresh(thread_id)),
            Command::Quit | Command::RingBell => {}
            Command::Leave { thread_id } => {
                self.poller.send(PollerControl::Forget(thread_id.clone()));
                self.spawn_command(Command::Leave { thread_id });
            }
            other => self.spawn_command(other),
        }
    }

    /// Runs a command as a short task that reports back as events.
    fn spawn_command(&self, command: Command) {
        let session = self.session.clone();
        let events = self.events.clone();
        self.poller.send(PollerControl::Activity);
        tokio::spawn(async move {
            for event in commands_exec::execute(&session, command).await {
                let _ = events.send(event);
            }
        });
    }
}

fn spawn_input(tx: mpsc::UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(item) = stream.next().await {
            let event = match item {
                Ok(crossterm::event::Event::Key(k)) => Event::Key(k),
                Ok(crossterm::event::Event::Paste(p)) => Event::Paste(p),
                Ok(crossterm::event::Event::Mouse(m)) => Event::Mouse(m),
                Ok(crossterm::event::Event::Resize(w, h)) => Event::Resize(w, h),
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "terminal input failed");
                    break;
                }
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    });
}

fn spawn_ticks(tx: mpsc::UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if tx
                .send(Event::Tick {
                    now: OffsetDateTime::now_utc(),
                })
                .is_err()
            {
                break;
            }
        }
    });
}

/// Raw mode + alternate screen for as long as it lives; restored on drop and on panic.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<io::Stdout>>,
    mouse: bool,
    enhanced_keys: bool,
    monochrome: bool,
}

impl TerminalGuard {
    fn enter(mouse: bool, monochrome: bool) -> io::Result<Self> {
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        execute!(stdout, EnterAlternateScreen, EnableBracketedPaste)?;
        if mouse {
            execute!(stdout, EnableMouseCapture)?;
        }
        // Lets terminals that can (kitty protocol) report Shift-Enter distinctly.
        let enhanced_keys = crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false);
        if enhanced_keys {
            let _ = execute!(
                stdout,
                PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
            );
        }
        install_panic_hook(mouse, enhanced_keys);
        let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
        Ok(Self {
            terminal,
            mouse,
            enhanced_keys,
            monochrome,
        })
    }

    fn draw(&mut self, app: &App) -> io::Result<()> {
        let monochrome = self.monochrome;
        self.terminal
            .draw(|frame| {
                view::draw(app, frame);
                if monochrome {
                    view::strip_colors(frame.buffer_mut());
                }
            })
            .map(drop)
    }

    fn bell(&mut self) {
        let _ = self.terminal.backend_mut().write_all(b"\x07");
        let _ = self.terminal.backend_mut().flush();
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore(self.mouse, self.enhanced_keys);
        let _ = self.terminal.show_cursor();
    }
}

fn restore(mouse: bool, enhanced_keys: bool) {
    let mut stdout = io::stdout();
    if enhanced_keys {
        let _ = execute!(stdout, PopKeyboardEnhancementFlags);
    }
    if mouse {
        let _ = execute!(stdout, DisableMouseCapture);
    }
    let _ = execute!(stdout, DisableBracketedPaste, LeaveAlternateScreen);
    let _ = disable_raw_mode();
}

fn install_panic_hook(mouse: bool, enhanced_keys: bool) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore(mouse, enhanced_keys);
        previous(info);
    }));
}
